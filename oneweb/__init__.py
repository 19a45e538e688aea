"""OneWeb: the Django project (settings, URLs, ASGI routing, the embedded services and `serve`)."""
