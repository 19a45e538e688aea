"""WebSocket URL routes."""

from django.urls import path

from runtime.consumers import ExecutionConsumer, NotifyConsumer

websocket_urlpatterns = [
    path("ws/executions/<str:execution_id>/", ExecutionConsumer.as_asgi()),
    path("ws/notify/", NotifyConsumer.as_asgi()),
]
