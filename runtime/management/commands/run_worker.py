"""`manage.py run_worker`: one non-forking RQ worker process on OneWeb's queue."""

from django.conf import settings
from django.core.management.base import BaseCommand

from runtime.worker import run_worker


class Command(BaseCommand):
    help = "Run one OneWeb RQ worker (non-forking, with a database heartbeat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")

    def handle(self, *args, burst: bool = False, **options) -> None:
        run_worker(settings.RQ_QUEUE, burst=burst)
