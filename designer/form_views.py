"""The form designer's pages: the list of forms and the editor (fields, buttons, mapping,
live preview). The editor itself is static/forms/designer.js talking to the forms API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render

from designer.form_models import Form, FormVersion


@login_required
def designer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "designer/forms/list.html", {"forms": Form.objects.order_by("name")})


@login_required
def designer_edit(request: HttpRequest, name: str | None = None) -> HttpResponse:
    definition = None
    if name is not None:
        row = FormVersion.objects.filter(form__name=name).order_by("-version").first()
        if row is None:
            raise Http404("No such form.")
        definition = {**row.definition, "version": row.version}
    return render(request, "designer/forms/edit.html", {
        "definition": definition, "editor_context": {"name": name, "csrf": get_token(request)},
    })
