"""URL routes of the execution history pages (mounted at /executions/)."""

from django.urls import path

from runtime import views

app_name = "runtime"

urlpatterns = [
    path("", views.execution_list, name="execution-list"),
    path("<uuid:execution_id>/", views.execution_detail, name="execution-detail"),
]
