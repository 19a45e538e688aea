"""`manage.py load_demo`: demo users, groups and example microflows (idempotent).

Users: admin/admin (superuser); alice, bob, carol with password `demo`; bob is in
`managers`, carol in `directors`. Microflows: one per file in designer/demo/, together
showing every node type. `__BASE_URL__` in a definition becomes this server's address.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand

from designer import services
from designer.form_demo import ensure_demo_forms
from designer.models import Microflow

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
USERS = [("alice", [], "Alice Ansah"), ("bob", ["managers"], "Bob Brandt"), ("carol", ["directors"], "Carol Chen")]


def ensure_users() -> User:
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "admin@example.org", "admin")
    for username, groups, full_name in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            first, last = full_name.split(" ", 1)
            user = User.objects.create_user(username, f"{username}@example.org", "demo",
                                            first_name=first, last_name=last)
        for group_name in groups:
            group, _ = Group.objects.get_or_create(name=group_name)
            user.groups.add(group)
    return admin


def ensure_microflows(owner: User, base_url: str) -> list[str]:
    """Saves each demo microflow; a changed file (or server address) becomes a new version."""
    changed = []
    for path in sorted(DEMO_DIR.glob("*.json")):
        definition = json.loads(path.read_text().replace("__BASE_URL__", base_url))
        before = Microflow.objects.filter(name=definition["name"]).values_list("current_version", flat=True).first()
        saved = services.save_microflow(definition, owner)
        if saved.version != before:
            changed.append(definition["name"])
    return changed


class Command(BaseCommand):
    help = "Load the demo users, groups and microflows (safe to run again)."

    def handle(self, *args, **options) -> None:
        base_url = os.environ.get("ONEWEB_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        admin = ensure_users()
        created = ensure_microflows(admin, base_url)
        forms = ensure_demo_forms(admin)
        from processes.demo_loader import ensure_processes

        self.stdout.write(f"demo processes (leave-approval, purchase-approval): new: {ensure_processes(admin) or 'none'}")
        self.stdout.write(f"demo forms: new or changed: {forms or 'none'} (open /app/forms/loan-application/)")
        self.stdout.write(f"demo ready: users admin/admin, alice|bob|carol/demo; new or changed microflows: {created or 'none'}")
