"""Admin for connections (config as JSON, secrets write-only: never shown, never prefilled)
and, read-only, for business objects and their versions."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin

from integrations import services
from integrations.kinds import KINDS
from integrations.models import BusinessObject, BusinessObjectVersion, Connection
from oneweb.errors import ApiError


class ConnectionForm(forms.ModelForm):
    new_secrets = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text='JSON, e.g. {"password": "…"}. Given keys are set, null removes one; leave empty to keep.',
    )

    class Meta:
        model = Connection
        fields = ["name", "kind", "description", "config"]

    def clean_new_secrets(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("new_secrets") or ""
        if not raw.strip():
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError("Not valid JSON.") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("A JSON object of secret name to value.")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        data = {"name": cleaned.get("name"), "kind": cleaned.get("kind"), "description": cleaned.get("description") or "",
                "config": cleaned.get("config") or {}, "secrets": cleaned.get("new_secrets") or {}}
        if self.instance.pk and data["name"] != Connection.objects.get(pk=self.instance.pk).name:
            raise forms.ValidationError("A connection cannot be renamed.")
        try:
            services.check(data)
        except ApiError as exc:
            raise forms.ValidationError(
                [exc.message, *[f"{d.get('field')}: {d.get('message')}" for d in exc.details]]
            ) from None
        self.payload = data
        return cleaned


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionForm
    list_display = ["name", "kind", "description", "revision", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    readonly_fields = ["secret_names", "revision", "created_at", "updated_at"]

    @admin.display(description="secrets set")
    def secret_names(self, obj: Connection) -> str:
        return ", ".join(services.describe(obj)["secrets"]) or "—"

    def save_model(self, request, obj: Connection, form: ConnectionForm, change: bool) -> None:
        data = form.payload
        if change:
            updated = services.update_connection(data["name"], data, request.user)
            obj.pk, obj.revision = updated.pk, updated.revision
        else:
            created = services.create_connection(data, request.user)
            obj.pk = created.pk

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["kind"].help_text = "; ".join(
            f"{kind}: secrets {', '.join(names) or 'none'}" for kind, (_m, names) in KINDS.items()
        )
        return form


class BusinessObjectVersionInline(admin.TabularInline):
    model = BusinessObjectVersion
    fields = ["version", "definition", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # versions are immutable; new ones come through the API


@admin.register(BusinessObject)
class BusinessObjectAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "current_version", "updated_at"]
    search_fields = ["name", "title"]
    readonly_fields = ["name", "current_version", "created_by", "created_at", "updated_at"]
    inlines = [BusinessObjectVersionInline]

    def has_add_permission(self, request) -> bool:
        return False  # defined through the API / designer, which checks the definition
