"""Abstract models for anything saved in immutable versions (microflows, forms, processes).

A `VersionedDefinition` row names the thing and points at its latest version number; each
save adds one `DefinitionVersion` row holding the whole definition, and none is changed.
Concrete pairs add the foreign key from version to definition and its uniqueness rule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class VersionedDefinition(models.Model):
    name = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200, blank=True, default="")
    current_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DefinitionVersion(models.Model):
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    comment = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    #: the name of the foreign key to the VersionedDefinition (set by each concrete model)
    parent_field: str = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, self.parent_field).name} v{self.version}"
