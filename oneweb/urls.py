"""URL routes: pages, the API (with offline OpenAPI docs at /api/docs), admin, accounts."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from oneweb import views
from oneweb.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("app/forms/", include("runtime.form_urls")),
    path("designer/forms/", include("designer.form_urls")),
    path("", include("processes.urls")),
    path("designer/", include("designer.urls")),
    path("executions/", include("runtime.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("demo/score", views.demo_score, name="demo-score"),
    path("bench/bare", csrf_exempt(views.bare_json), name="bench-bare"),
]
