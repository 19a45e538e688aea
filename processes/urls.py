"""Page routes of the processes app (mounted at the site root)."""

from django.urls import path

from processes import views

app_name = "processes"

urlpatterns = [
    path("inbox/", views.inbox_page, name="inbox"),
    path("inbox/tasks/<int:task_id>/", views.task_page, name="task"),
    path("inbox/requests/", views.my_requests, name="requests"),
    path("processes/instances/<str:instance_id>/", views.instance_page, name="instance"),
    path("designer/processes/", views.designer_page, name="designer"),
    path("designer/processes/<slug:name>/", views.process_editor, name="editor"),
]
