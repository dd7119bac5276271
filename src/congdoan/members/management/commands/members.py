"""congdoan members export|template|duplicates|statuses: member lists of a unit's subtree, the import
template, the possible duplicates of a unit's subtree, and members' status brought up to date."""

import datetime
import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from congdoan.accounts.models import User
from congdoan.accounts.scope import restrict
from congdoan.audit.context import change_context
from congdoan.audit.models import PersonalDataAccess
from congdoan.audit.services import log_personal_data_access
from congdoan.members import duplicate_scans, exports
from congdoan.members import services as member_services
from congdoan.members.imports.models import ImportBatch
from congdoan.members.imports.workbooks import template
from congdoan.members.models import DuplicateScan
from congdoan.units.models import Unit


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _(
            "Member lists: `export` the members of a unit's subtree as they stood on a date (JSON, CSV or "
            "XLSX), or write the import `template`. Without --user the command runs as a system operator "
            "with full rights; with it, the user's scope and role decide what is exported. An export with "
            "--full holds personal data: only the roles that may take it out can ask for it, and each one is "
            "logged."
        )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help=_("write a member list"))
        export.add_argument("--unit", required=True, help=_("code of the unit whose subtree is listed"))
        export.add_argument(
            "--at", help=_("the date the list stands on, dd/mm/yyyy or yyyy-mm-dd (default today)")
        )
        export.add_argument("--format", choices=exports.FORMATS, default="json")
        export.add_argument(
            "--full",
            action="store_true",
            help=_("ID numbers, phones, e-mails and birth dates in full (roles that may only; logged)"),
        )
        export.add_argument("--user", help=_("act as this user, with their scope and rights"))
        export.add_argument("--output", "-o", help=_("file to write (default: standard output)"))
        blank = actions.add_parser("template", help=_("write the .xlsx template to fill in for an import"))
        blank.add_argument("--unit", required=True, help=_("code of the unit the list will belong to"))
        blank.add_argument("--mode", choices=ImportBatch.Mode.values, default=ImportBatch.Mode.ADD)
        blank.add_argument("--output", "-o", required=True, help=_("the .xlsx file to write"))
        alike = actions.add_parser(
            "duplicates",
            help=_("compare the members of a unit's subtree and list possible duplicates (kept as its scan)"),
        )
        alike.add_argument("--unit", required=True, help=_("code of the unit whose subtree is compared"))
        alike.add_argument("--user", help=_("act as this user, with their scope and rights"))
        alike.add_argument("--format", choices=("json", "table"), default="table")
        actions.add_parser(
            "statuses",
            help=_("bring members' status up to date where a suspension's planned end has come (run daily)"),
        )

    def handle(self, *args, action, **options):
        if action == "statuses":
            with change_context(user=None):
                count = member_services.refresh_current_states()
            self.stderr.write(
                _("%(count)s members' status brought up to date.")
                % {"count": number_format(count, force_grouping=True)}
            )
            return
        try:
            unit = Unit.objects.select_related("unit_type").get(code=options["unit"])
        except Unit.DoesNotExist:
            raise CommandError(
                _("--unit: no unit has the code «%(code)s».") % {"code": options["unit"]}
            ) from None
        if action == "template":
            with _open_output(Path(options["output"])) as stream:
                template(stream, unit=unit, mode=options["mode"])
            return
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("--user: no user is called «%(name)s».") % {"name": options["user"]})
        if action == "duplicates":
            self._duplicates(unit, actor, options["format"])
            return
        full = options["full"]
        if full and not exports.may_export_personal_data(actor):
            raise CommandError(
                _(
                    "--full: the role of %(user)s does not allow taking personal data out of the system; "
                    "export the masked list without --full."
                )
                % {"user": actor.get_username()}
            )
        on = _date(options["at"]) if options["at"] else None
        path = Path(options["output"]) if options["output"] else None
        if path is not None and path.is_dir():
            raise CommandError(_("--output: %(path)s is a folder; name the file to write.") % {"path": path})
        # A file is written beside its name and put in place when complete: a refusal leaves nothing.
        partial = path.with_name(f".{path.name}.part") if path else None
        output = _open_output(partial, named=path) if partial else sys.stdout.buffer
        try:
            with change_context(user=actor):
                count = exports.export_members(
                    stream=output, format=options["format"], unit=unit, on=on, user=actor, full=full
                )
                if full:
                    log_personal_data_access(
                        action=PersonalDataAccess.Action.EXPORT,
                        obj=unit,
                        unit_id=unit.pk,
                        reason=_("command line export"),
                        detail=f"{options['format']}, {count} · {path or 'stdout'}",
                    )
        except BaseException as error:
            if partial:
                output.close()
                partial.unlink(missing_ok=True)
            if isinstance(error, PermissionDenied):
                raise CommandError(str(error)) from None
            raise
        if partial:
            output.close()
            partial.replace(path)
        else:
            output.flush()
        self.stderr.write(
            _("%(count)s members exported.") % {"count": number_format(count, force_grouping=True)}
        )

    def _duplicates(self, unit: Unit, actor: User | None, format: str) -> None:
        if actor is not None and not restrict(Unit.objects.filter(pk=unit.pk), actor).exists():
            raise CommandError(
                _("--unit: %(code)s is outside the scope of %(user)s.")
                % {"code": unit.code, "user": actor.get_username()}
            )
        with change_context(user=actor):
            scan = duplicate_scans.run_scan(DuplicateScan.objects.create(unit=unit, user=actor))
        pairs = [duplicate_scans.as_pair(row) for row in duplicate_scans.shown_pairs(scan, actor)]
        if format == "json":
            rows = [
                {
                    "first": pair.first.code,
                    "second": pair.second.code,
                    "score": pair.score,
                    "rules": [rule.key for rule in pair.rules],
                    "reasons": list(pair.reasons),
                }
                for pair in pairs
            ]
            self.stdout.write(json.dumps({"unit": unit.code, "pairs": rows}, ensure_ascii=False, indent=2))
        else:
            for pair in pairs:
                self.stdout.write(
                    f"{pair.score:>4}  {pair.first.code:<14} {pair.first.full_name:<30} "
                    f"{pair.second.code:<14} {pair.second.full_name:<30} {'; '.join(pair.reasons)}"
                )
        self.stderr.write(
            _("%(count)s possible duplicate pairs in %(unit)s.")
            % {"count": number_format(len(pairs), force_grouping=True), "unit": unit.code}
        )


def _open_output(path: Path, *, named: Path | None = None):
    """``path`` opened to write, or a CommandError naming the file asked for (``named``, else ``path``)."""
    try:
        return path.open("wb")
    except OSError as error:
        raise CommandError(
            _("--output: %(path)s cannot be written (%(reason)s).")
            % {"path": named or path, "reason": error.strerror}
        ) from None


def _date(text: str) -> datetime.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CommandError(_("--at «%(text)s»: write the date as dd/mm/yyyy or yyyy-mm-dd.") % {"text": text})
