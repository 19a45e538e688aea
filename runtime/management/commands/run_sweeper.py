"""`manage.py run_sweeper`: runs every sweep in ONEWEB["SWEEPS"] about every half second.

Sweeps fire due timers, fail runs of lost workers and re-enqueue orphaned runs. Each one
is isolated: an exception is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from runtime.conf import import_string, setting

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run OneWeb's periodic sweeps (timers, lost workers, orphaned jobs) until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval: float = 0.5, once: bool = False, **options) -> None:
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        sweeps = [import_string(path) for path in setting("SWEEPS")]
        while not stopping:
            close_old_connections()
            for sweep in sweeps:
                try:
                    sweep()
                except Exception:
                    log.exception("sweep %s failed", sweep.__name__)
            if once:
                return
            time.sleep(interval)
