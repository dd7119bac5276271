"""``congdoan progress --programme REF --unit CODE [--at YYYY-MM-DD] [--today-tree] --format json|table``."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.formats import localize
from django.utils.translation import gettext as _
from tabulate import tabulate

from congdoan.accounts.models import User
from congdoan.plans import progress
from congdoan.plans.api.progress import TargetProgressSerializer, target_rows
from congdoan.plans.forms import TREE_THEN, TREE_TODAY
from congdoan.plans.progress_views import ProgressQuery

BAD_INPUT = 2  # the exit status for a programme, unit, user or date that cannot be read


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def _shown(value, suffix: str = "") -> str:
    if value is None:
        return "—"
    return localize(round(value, 1) if value % 1 else int(value)) + suffix


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _("Progress of a programme's targets for a unit: actual, percent, met, pace, light.")

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True, metavar="REF", help=_("The programme's reference."))
        parser.add_argument("--unit", required=True, metavar="CODE", help=_("The unit's code."))
        parser.add_argument("--at", metavar="YYYY-MM-DD", help=_("The day to read (default: today)."))
        parser.add_argument(
            "--today-tree",
            action="store_true",
            help=_("Roll up along today's tree, not the tree of that day."),
        )
        parser.add_argument("--children", action="store_true", help=_("Also the units directly under it."))
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--user", help=_("Only what this user may see (default: everything)."))

    def handle(self, *args, programme: str, unit: str, at: str | None, today_tree: bool, **options):
        user = None
        if options["user"]:
            user = User.objects.select_related("unit").filter(username=options["user"]).first()
            if user is None:
                raise _refuse(_("There is no user %(name)s.") % {"name": options["user"]})
        query = ProgressQuery({"unit": unit, "at": at or "", "tree": TREE_TODAY if today_tree else TREE_THEN})
        if query.errors:
            raise _refuse(
                "\n".join(
                    f"--{name}: {message}" for name, messages in query.errors.items() for message in messages
                )
            )
        try:
            found = progress.programme_of(user, programme)
            where = progress.unit_for(user, found, query.unit_code, query.on)
        except Http404 as error:
            raise _refuse(str(error)) from None
        rows = target_rows(
            user=user, programme=found, unit=where, query=query, with_children=options["children"]
        )
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(TargetProgressSerializer(rows, many=True).data, ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(
            _("%(programme)s — %(unit)s (%(code)s), as of %(day)s")
            % {
                "programme": found.number or found.ref,
                "unit": where.name,
                "code": where.code,
                "day": localize(query.on),
            }
        )
        table = []
        for drill in rows:
            for row in [drill.own, *(drill.children or [])]:
                table.append(
                    [
                        row.target.ref if row is drill.own else "",
                        row.target.text if row is drill.own else f"  {row.unit.code} {row.name}",
                        row.requirement or "—",
                        _shown(row.value, "%" if row.actual is not None and row.actual.is_ratio else "")
                        if row.has_figures
                        else _("no figures yet"),
                        _shown(row.verdict.percent, "%"),
                        _("yes") if row.verdict.met else (_("no") if row.verdict.met is False else "—"),
                        _shown(row.verdict.pace, "%"),
                        row.light_label or "—",
                    ]
                )
        headers = [
            _("item"),
            _("target"),
            _("for the unit"),
            _("actual"),
            _("percent"),
            _("met"),
            _("pace"),
            _("light"),
        ]
        self.stdout.write(
            tabulate(table, headers=headers, maxcolwidths=[None, 50, None, None, None, None, None, 20])
        )
