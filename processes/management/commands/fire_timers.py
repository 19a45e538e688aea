"""`manage.py fire_timers [--at ISO]`: fires every timer due now, or due by the given time.

`--at` lets tests and demos walk a multi-day process through simulated days.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from processes.durations import parse_instant
from processes.timers import fire_due


class Command(BaseCommand):
    help = "Fire due process timers (due dates, escalations, timer nodes); --at fires what is due by then."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--at", help="an ISO 8601 time, e.g. 2026-01-05T09:00:00Z (default: now)")

    def handle(self, *args, at: str | None = None, **options) -> None:
        try:
            clock = parse_instant(at) if at else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        fired = fire_due(clock)
        self.stdout.write(f"fired {fired} timer(s)")
