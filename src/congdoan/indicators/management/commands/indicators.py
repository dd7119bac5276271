"""``congdoan indicators refresh``: recompute the stored indicator windows (after a bulk load, say)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congdoan.audit.context import change_context
from congdoan.indicators import catalogue, engine


class Command(BaseCommand):
    help = "Recompute stored indicator values: every window, one indicator's, or only the stale ones."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        refresh = commands.add_parser("refresh", help="Recompute the stored windows.")
        refresh.add_argument("--indicator", metavar="CODE", help="Only this indicator's windows.")
        refresh.add_argument(
            "--stale-only", action="store_true", help="Only windows a reorganisation made stale."
        )

    def handle(self, *args, action: str, indicator: str | None = None, stale_only: bool = False, **options):
        if indicator is not None:
            try:
                catalogue.get(indicator)
            except KeyError:
                raise CommandError(_("There is no indicator %(code)s.") % {"code": indicator}) from None
        with change_context():
            count = engine.refresh(indicator=indicator, stale_only=stale_only)
        self.stdout.write(_("%(count)s windows recomputed.") % {"count": count})
