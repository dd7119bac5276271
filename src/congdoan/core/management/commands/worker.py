import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from congdoan.core import jobs


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _(
            "Run background jobs (member imports and exports…) queued in the database. Needed when "
            "CONGDOAN_JOBS=worker; with the default CONGDOAN_JOBS=thread the web process runs them itself. "
            "Unless CONGDOAN_DAILY=off, it also starts the daily tasks once a day."
        )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("run the jobs waiting now, then stop"))
        parser.add_argument("--poll", type=float, default=1.0, help=_("seconds between looks for new jobs"))

    def handle(self, *args, once=False, poll=1.0, **options):
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: stop.set())  # finish the running job, then leave
        count = jobs.work(once=once, poll=poll, stop=stop, daily=settings.CONGDOAN_DAILY)
        self.stderr.write(ngettext("%(count)d job run", "%(count)d jobs run", count) % {"count": count})
