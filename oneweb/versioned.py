"""Abstract models for anything saved in immutable versions (microflows, forms, processes).

A `VersionedDefinition` row names the thing and points at its latest version number; each
save adds one `DefinitionVersion` row holding the whole definition, and none is changed.
Concrete pairs add the foreign key from version to definition and its uniqueness rule.
The functions below are the shared "check then do" steps of every such service.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction

from oneweb.errors import ApiError


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


def named_as_addressed(definition: Any, name: str) -> Any:
    """The body of a `PUT .../{name}`: a missing name is taken from the address; a different
    one is refused (renaming is a copy, not an update)."""
    if isinstance(definition, dict) and definition.get("name", name) != name:
        raise ApiError(400, "invalid_flow", "The name in the body differs from the one in the address.",
                       [{"node": None, "field": "name", "message": "renaming is not supported; create a copy"}])
    if isinstance(definition, dict) and "name" not in definition:
        definition = {**definition, "name": name}
    return definition


def create_first_version(parent: type[VersionedDefinition], version: type[DefinitionVersion],
                         stored: dict[str, Any], user, what: str) -> DefinitionVersion:
    """Creates a definition at version 1 from a validated body; 409 when the name is taken."""
    try:
        with transaction.atomic():
            row = parent.objects.create(name=stored["name"], title=stored.get("title", ""), created_by=user)
            return version.objects.create(**{version.parent_field: row}, version=1, definition=stored,
                                          created_by=user)
    except IntegrityError:
        raise ApiError(409, "conflict", f"A {what} named '{stored['name']}' already exists.") from None


def add_version(parent: type[VersionedDefinition], version: type[DefinitionVersion], name: str,
                stored: dict[str, Any], user, what: str, comment: str = "") -> DefinitionVersion:
    """Adds the next immutable version under a row lock; 404 when there is no such definition."""
    with transaction.atomic():
        row = parent.objects.select_for_update().filter(name=name).first()
        if row is None:
            raise ApiError(404, "not_found", f"The {what} '{name}' was not found.")
        row.current_version += 1
        row.title = stored.get("title", "")
        row.save(update_fields=["current_version", "title", "updated_at"])
        return version.objects.create(**{version.parent_field: row}, version=row.current_version,
                                      definition=stored, created_by=user, comment=comment[:200])
