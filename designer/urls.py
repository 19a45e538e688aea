"""URL routes of the designer pages (mounted at /designer/)."""

from django.urls import path

from designer import views

app_name = "designer"

urlpatterns = [
    path("", views.microflow_list, name="microflow-list"),
    path("microflows/<slug:name>/", views.microflow_editor, name="microflow-editor"),
]
