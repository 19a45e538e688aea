"""Named connections (public config in one table, secrets encrypted in another) and business
objects (named data types with immutable versions).

Flows name a connection; they never hold its address's credentials. `revision` grows on
every change so runtime caches (connection pools, parsed WSDLs) know to rebuild.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ConnectionKind(models.TextChoices):
    DATABASE = "database", "Database"
    REST = "rest", "REST service"
    SOAP = "soap", "SOAP service"
    SMTP = "smtp", "SMTP mail server"
    STORAGE = "storage", "File storage"


class Connection(models.Model):
    name = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=ConnectionKind.choices)
    description = models.CharField(max_length=500, blank=True, default="")
    config = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class ConnectionSecret(models.Model):
    """The secrets of one connection as one encrypted JSON object (see integrations.secrets)."""

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="secret")
    names = models.JSONField(default=list, blank=True)  # which secrets are set, never their values
    ciphertext = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"secrets of {self.connection.name}"


class BusinessObject(models.Model):
    """A named data type; its definitions are immutable versions (see runtime.business_objects)."""

    name = models.CharField(max_length=64, unique=True)
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


class BusinessObjectVersion(models.Model):
    business_object = models.ForeignKey(BusinessObject, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["business_object", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["business_object", "version"], name="one_row_per_business_object_version")
        ]

    def __str__(self) -> str:
        return f"{self.business_object.name} v{self.version}"
