"""ASGI entry point: HTTP through Django, WebSocket through Channels (session or token auth)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneweb.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from oneweb.routing import websocket_urlpatterns  # noqa: E402
from oneweb.ws_auth import SameHostOrigin, websocket_auth  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameHostOrigin(websocket_auth(URLRouter(websocket_urlpatterns))),
    }
)
