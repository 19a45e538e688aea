"""The forms end users click: the list of forms, one form's page, and its saved records."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse

from designer.form_models import Form, FormRecord, FormVersion


def _latest(name: str) -> FormVersion:
    row = FormVersion.objects.select_related("form").filter(form__name=name).order_by("-version").first()
    if row is None:
        raise Http404("No such form.")
    return row


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    return render(request, "runtime/forms/list.html", {"forms": Form.objects.order_by("name")})


@login_required
def form_page(request: HttpRequest, name: str) -> HttpResponse:
    row = _latest(name)
    record = None
    record_id = request.GET.get("record", "")
    if record_id.isdigit():
        found = FormRecord.objects.visible_to(request.user).filter(form=row.form, pk=int(record_id)).first()
        if found is not None:
            record = {"id": found.pk, "values": found.data}
    context = {
        "name": name, "version": row.version, "user": request.user.get_username(), "record": record,
        "csrf": get_token(request), "records_url": reverse("form-records", args=[name]),
    }
    return render(request, "runtime/forms/page.html", {
        "form": row.form, "definition": row.definition, "page_context": context, "record": record,
    })


@login_required
def records_page(request: HttpRequest, name: str) -> HttpResponse:
    row = _latest(name)
    fields = [f for f in row.definition.get("fields", [])][:8]
    records = FormRecord.objects.visible_to(request.user).filter(form=row.form).select_related("created_by")[:200]
    rows = [{"id": r.pk, "cells": [r.data.get(f["name"]) for f in fields], "by": r.created_by,
             "updated_at": r.updated_at} for r in records]
    return render(request, "runtime/forms/records.html", {"form": row.form, "fields": fields, "rows": rows})
