import logging
import threading

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.utils import timezone

from congdoan.core import jobs

logger = logging.getLogger(__name__)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login; the API answers 401/403 itself, so it is left to DRF."""

    open_prefixes = ("/api/", "/static/", "/i18n/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.open_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class DailyWorkMiddleware:
    """When the web process runs the jobs (CONGDOAN_JOBS=thread), its first request of each local day
    starts the day's daily tasks (``jobs.start_daily``), and the first request after a failed run's
    back-off starts its next attempt (``jobs.next_daily_check``); every other request compares dates."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.checked_on = None  # the day this process last made sure the daily tasks were started
        self.next_check = None  # when a daily run may next be due (a retry, or the next day)
        self.starting = threading.Lock()

    def __call__(self, request):
        if settings.CONGDOAN_JOBS == "thread" and settings.CONGDOAN_DAILY:
            today = timezone.localdate()
            if self.checked_on != today or timezone.now() >= self.next_check:
                self._start(today)
        return self.get_response(request)

    def _start(self, today) -> None:
        if not self.starting.acquire(blocking=False):
            return  # another request of this process is starting them
        try:
            jobs.start_daily(today=today)
            self.next_check = jobs.next_daily_check(today=today)
            self.checked_on = today
        except Exception:  # the request is served all the same; the next one tries again
            logger.exception("the daily tasks could not be started")
        finally:
            self.starting.release()
