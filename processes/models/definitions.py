"""Process definitions and their immutable versions: every save adds a version, none is changed."""

from __future__ import annotations

from django.db import models

from oneweb.versioned import DefinitionVersion, VersionedDefinition


class ProcessDefinition(VersionedDefinition):
    """Named, versioned definition (see oneweb.versioned)."""


class ProcessVersion(DefinitionVersion):
    process = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="versions")

    parent_field = "process"

    class Meta:
        ordering = ["process", "-version"]
        constraints = [models.UniqueConstraint(fields=["process", "version"], name="one_row_per_process_version")]
