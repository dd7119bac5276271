import datetime
import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from congdoan.accounts.models import User
from congdoan.audit.context import change_context
from congdoan.audit.models import PersonalDataAccess
from congdoan.audit.services import log_personal_data_access
from congdoan.members import exports
from congdoan.members.imports.models import ImportBatch
from congdoan.members.imports.workbooks import template
from congdoan.units.models import Unit


class Command(BaseCommand):
    help = (
        "Member lists: `export` the members of a unit's subtree as they stood on a date (JSON, CSV or "
        "XLSX), or write the import `template`. Without --user the command runs as a system operator with "
        "full rights; with it, the user's scope and role decide what is exported."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="write a member list")
        export.add_argument("--unit", required=True, help="code of the unit whose subtree is listed")
        export.add_argument(
            "--at", help="the date the list stands on, dd/mm/yyyy or yyyy-mm-dd (default today)"
        )
        export.add_argument("--format", choices=exports.FORMATS, default="json")
        export.add_argument(
            "--full",
            action="store_true",
            help="ID numbers, phones, e-mails and birth dates in full (roles that may only)",
        )
        export.add_argument("--user", help="act as this user, with their scope and rights")
        export.add_argument("--output", "-o", help="file to write (default: standard output)")
        blank = actions.add_parser("template", help="write the .xlsx template to fill in for an import")
        blank.add_argument("--unit", required=True, help="code of the unit the list will belong to")
        blank.add_argument("--mode", choices=ImportBatch.Mode.values, default=ImportBatch.Mode.ADD)
        blank.add_argument("--output", "-o", required=True, help="the .xlsx file to write")

    def handle(self, *args, action, **options):
        try:
            unit = Unit.objects.select_related("unit_type").get(code=options["unit"])
        except Unit.DoesNotExist:
            raise CommandError(f"No unit with the code {options['unit']!r}.") from None
        if action == "template":
            with open(options["output"], "wb") as stream:
                template(stream, unit=unit, mode=options["mode"])
            return
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")
        on = _date(options["at"]) if options["at"] else None
        output = open(options["output"], "wb") if options["output"] else sys.stdout.buffer  # noqa: SIM115
        try:
            with change_context(user=actor):
                count = exports.export_members(
                    stream=output,
                    format=options["format"],
                    unit=unit,
                    on=on,
                    user=actor,
                    full=options["full"],
                )
                if options["full"]:
                    log_personal_data_access(
                        action=PersonalDataAccess.Action.EXPORT,
                        obj=unit,
                        unit_id=unit.pk,
                        detail=f"{options['format']}, {count} · command line",
                    )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        finally:
            if options["output"]:
                output.close()
            else:
                output.flush()
        self.stderr.write(f"{count} members")


def _date(text: str) -> datetime.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CommandError(f"--at {text!r}: write the date as dd/mm/yyyy or yyyy-mm-dd.")
