"""Demo processes for `manage.py load_demo`: leave approval and purchase approval (with
microflow steps, a multi-day timer, escalation and parallel branches) and the microflow
they need. Idempotent: only what is missing is created."""

from __future__ import annotations

import json
from pathlib import Path

from designer import services as designer
from designer.models import Microflow
from processes import services
from processes.models import ProcessDefinition

DEMO_DIR = Path(__file__).resolve().parent / "demo"


def ensure_processes(owner) -> list[str]:
    created = []
    for path in sorted(DEMO_DIR.glob("*.microflow.json")):
        definition = json.loads(path.read_text())
        if not Microflow.objects.filter(name=definition["name"]).exists():
            designer.create_microflow(definition, owner)
            created.append(definition["name"])
    for path in sorted(DEMO_DIR.glob("*.process.json")):
        definition = json.loads(path.read_text())
        if not ProcessDefinition.objects.filter(name=definition["name"]).exists():
            services.create_process(definition, owner)
            created.append(definition["name"])
    return created
