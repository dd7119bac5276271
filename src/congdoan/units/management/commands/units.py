"""congdoan units list [--under CODE] [--at DATE] [--format table|json] [--user NAME]: the tree on a date."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from tabulate import tabulate

from congdoan.accounts.models import User
from congdoan.accounts.scope import restrict
from congdoan.units import selectors
from congdoan.units.models import Level, Unit, UnitLink

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def console_operator() -> User:
    """Whoever runs the console command can read the whole database anyway: the scope of a superuser."""
    return User(username="console", is_superuser=True)


def parse_date(value: str) -> datetime.date:
    for layout in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), layout).date()
        except ValueError:
            continue
    raise CommandError(
        _("The date «%(value)s» is not valid: write it as YYYY-MM-DD, for example 2025-07-01.")
        % {"value": value}
    )


def tree_order(links: list[UnitLink]) -> list[tuple[UnitLink, int]]:
    """Each link with its depth below the top of the list, parents before children, siblings by code."""
    present = {link.unit_id for link in links}
    children: dict[int | None, list[UnitLink]] = {}
    for link in links:
        children.setdefault(link.parent_id if link.parent_id in present else None, []).append(link)
    ordered: list[tuple[UnitLink, int]] = []
    stack = [
        (link, 0) for link in sorted(children.get(None, []), key=lambda link: link.unit.code, reverse=True)
    ]
    while stack:
        link, depth = stack.pop()
        ordered.append((link, depth))
        below = sorted(children.get(link.unit_id, []), key=lambda child: child.unit.code, reverse=True)
        stack.extend((child, depth + 1) for child in below)
    return ordered


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _("The union tree.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="list")
        lister = actions.add_parser(
            "list",
            help=_("the units as they stood on a date, in tree order"),
            description=_("The units as they stood on a date, parents before children."),
        )
        lister.add_argument("--under", metavar="CODE", help=_("only this unit and the units under it"))
        lister.add_argument(
            "--at", metavar="YYYY-MM-DD", help=_("the date to read the tree on (default: today)")
        )
        lister.add_argument("--format", choices=["table", "json"], default="table")
        lister.add_argument(
            "--user",
            metavar="USERNAME",
            help=_("read through this user's scope (default: all units)"),
        )

    def handle(self, *args, **options):
        on = parse_date(options["at"]) if options["at"] else selectors.today()
        user = self._user(options["user"])
        under = self._under(options["under"], user, on)
        links = list(selectors.links_on(user=user, on=on, under=under))
        ordered = tree_order(links)
        names = selectors.names_on(unit_ids=[link.unit_id for link in links], on=on)
        rows = [self._row(link, depth, names) for link, depth in ordered]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._table(rows))
        self.stdout.write(
            _("%(count)d units on %(date)s.") % {"count": len(rows), "date": date_format(on, "d/m/Y")}
        )

    def _user(self, username: str | None) -> User:
        if username is None:
            return console_operator()
        user = User.objects.select_related("unit").filter(username=username).first()
        if user is None:
            raise CommandError(_("No user has the name «%(name)s».") % {"name": username})
        return user

    def _under(self, code: str | None, user: User, on: datetime.date) -> Unit | None:
        if code is None:
            return None
        unit = Unit.objects.filter(code__iexact=code).first()
        if unit is None or not restrict(Unit.objects.filter(pk=unit.pk), user).exists():
            raise CommandError(_("No unit has the code «%(code)s».") % {"code": code})
        if not unit.is_active_on(on):
            raise CommandError(
                _("%(unit)s (%(code)s) was not in the tree on %(date)s.")
                % {"unit": unit.name, "code": unit.code, "date": date_format(on, "d/m/Y")}
            )
        return unit

    @staticmethod
    def _row(link: UnitLink, depth: int, names: dict) -> dict:
        unit = link.unit
        name = names.get(unit.pk)
        return {
            "code": unit.code,
            "name": name.name if name else unit.name,
            "short_name": name.short_name if name else unit.short_name,
            "level": unit.unit_type.level,
            "type": unit.unit_type.code,
            "parent": link.parent.code if link.parent_id else None,
            "sector": unit.sector or None,
            "founded_on": unit.founded_on.isoformat(),
            "ended_on": unit.dissolved_on.isoformat() if unit.dissolved_on else None,
            "depth": depth,
        }

    @staticmethod
    def _table(rows: list[dict]) -> str:
        body = [
            [
                row["code"],
                "  " * row["depth"] + row["name"],
                Level(row["level"]).label,
                row["type"],
                row["parent"] or "",
            ]
            for row in rows
        ]
        return tabulate(
            body, headers=[_("Code"), _("Name"), _("Level"), _("Type"), _("Parent")], disable_numparse=True
        )
