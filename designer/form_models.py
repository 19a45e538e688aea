"""Forms, their immutable versions, and the records users save from them.

A form definition (fields + buttons) is versioned like a microflow: every save adds a
`FormVersion`, none is ever changed. `FormRecord` is the simple per-form data store: the
values a user submitted, kept so they can come back to them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from oneweb.versioned import DefinitionVersion, VersionedDefinition

__all__ = ["Form", "FormVersion", "FormRecord"]


class Form(VersionedDefinition):
    """Named, versioned definition (see oneweb.versioned)."""


class FormVersion(DefinitionVersion):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")

    parent_field = "form"

    class Meta:
        ordering = ["form", "-version"]
        constraints = [models.UniqueConstraint(fields=["form", "version"], name="one_row_per_form_version")]


class FormRecordQuerySet(models.QuerySet["FormRecord"]):
    def visible_to(self, user) -> FormRecordQuerySet:
        return self if user.is_superuser else self.filter(created_by=user)


class FormRecord(models.Model):
    """One submission of a form: the field values, as the user entered them."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="records")
    version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="form_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FormRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["form", "created_by", "-updated_at"], name="form_record_owner_recent")]

    def __str__(self) -> str:
        return f"{self.form.name} record {self.pk}"
