"""Form designer pages under /designer/forms/."""

from django.urls import path

from designer import form_views

urlpatterns = [
    path("", form_views.designer_list, name="form-designer-list"),
    path("new/", form_views.designer_edit, name="form-designer-new"),
    path("<slug:name>/", form_views.designer_edit, name="form-designer-edit"),
]
