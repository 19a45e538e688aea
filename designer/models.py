"""Microflows and their immutable versions: every save adds a version, none is ever changed."""

from __future__ import annotations

from django.db import models

from oneweb.versioned import DefinitionVersion, VersionedDefinition


class Microflow(VersionedDefinition):
    """Named, versioned definition (see oneweb.versioned)."""


class MicroflowVersion(DefinitionVersion):
    microflow = models.ForeignKey(Microflow, on_delete=models.CASCADE, related_name="versions")

    parent_field = "microflow"

    class Meta:
        ordering = ["microflow", "-version"]
        constraints = [models.UniqueConstraint(fields=["microflow", "version"], name="one_row_per_version")]


from designer.form_models import Form, FormRecord, FormVersion  # noqa: E402,F401  (forms live in their own module)
