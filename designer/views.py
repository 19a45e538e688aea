"""Pages of the microflow designer: the list of microflows and the flow editor.

The pages are thin shells: everything they show comes from the JSON API (the same one
outside clients use), so the templates carry only the layout and the script tags.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from designer.models import Microflow


@login_required
@ensure_csrf_cookie
def microflow_list(request: HttpRequest) -> HttpResponse:
    return render(request, "designer/list.html")


@login_required
@ensure_csrf_cookie
def microflow_editor(request: HttpRequest, name: str) -> HttpResponse:
    # The name reaches the page through json_script (escaped); the editor loads the flow itself.
    if not Microflow.objects.filter(name=name).exists():
        raise Http404(f"There is no microflow named '{name}'.")
    return render(request, "designer/editor.html", {"flow_name": name})
