"""WSGI entry point (HTTP only; `serve` uses daphne for HTTP and WebSocket)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneweb.settings")
application = get_wsgi_application()
