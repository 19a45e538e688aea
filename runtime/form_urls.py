"""End-user form pages under /app/forms/."""

from django.urls import path

from runtime import form_views

urlpatterns = [
    path("", form_views.form_list, name="form-list"),
    path("<slug:name>/", form_views.form_page, name="form-page"),
    path("<slug:name>/records/", form_views.records_page, name="form-records"),
]
