"""Microflows and their immutable versions: every save adds a version, none is ever changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Microflow(models.Model):
    name = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200, blank=True, default="")
    current_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MicroflowVersion(models.Model):
    microflow = models.ForeignKey(Microflow, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    comment = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["microflow", "-version"]
        constraints = [models.UniqueConstraint(fields=["microflow", "version"], name="one_row_per_version")]

    def __str__(self) -> str:
        return f"{self.microflow.name} v{self.version}"


from designer.form_models import Form, FormRecord, FormVersion  # noqa: E402,F401  (forms live in their own module)
