import contextlib
import json
import sys
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from tabulate import tabulate

from congdoan.accounts.models import User
from congdoan.audit.context import change_context
from congdoan.members.imports import services
from congdoan.members.imports.models import ImportBatch
from congdoan.members.imports.workbooks import error_report
from congdoan.units.models import Unit

EXIT_REFUSED, EXIT_ROWS_LEFT_OUT = 1, 3
TABLE_ROWS = 50


class ProgressBar:
    """A one-line bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stream) -> None:
        self.stream, self.enabled = stream, stream.isatty()
        self.phase, self.drawn_at = "", 0.0

    def __call__(self, done: int, total: int, phase: str) -> None:
        now = time.monotonic()
        if not self.enabled or (phase == self.phase and now - self.drawn_at < 0.1 and done < total):
            return
        if phase != self.phase and self.phase:
            self.stream.write("\n")
        self.phase, self.drawn_at = phase, now
        share = done / total if total else 0
        bar = "█" * int(30 * share) + "░" * (30 - int(30 * share))
        self.stream.write(f"\r{phase[:28]:<28} {bar} {share:6.1%}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.phase:
            self.stream.write("\n")


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _(
            "Import a member list (.xlsx or .csv) into the registry under a unit. Rows are checked and "
            "staged first; rows with errors and possible duplicates are left out and listed (decide about "
            "duplicates in the web preview). Without --user the command runs as a system operator with full "
            "rights. Exit status: 0 all rows imported or unchanged, %(refused)d file refused, %(left_out)d "
            "some rows left out."
        ) % {"refused": EXIT_REFUSED, "left_out": EXIT_ROWS_LEFT_OUT}

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help=_("the list: .xlsx or .csv (UTF-8, UTF-16, Windows-1258, TCVN3 or VNI)")
        )
        parser.add_argument("--unit", required=True, help=_("code of the unit the list belongs to"))
        parser.add_argument(
            "--mode",
            choices=ImportBatch.Mode.values,
            default=ImportBatch.Mode.ADD,
            help=_("add new members, or update members found by member code, ID number or passport number"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("check and report only; write nothing"))
        parser.add_argument(
            "--strict",
            action="store_true",
            help=_("import nothing unless every row is valid and no duplicate awaits a decision"),
        )
        parser.add_argument(
            "--format", choices=["json", "table"], default="table", help=_("how the result is printed")
        )
        parser.add_argument("--user", help=_("act as this user, with their scope and rights"))
        parser.add_argument(
            "--error-report", metavar="XLSX", help=_("write the rows not imported to this file")
        )

    def handle(
        self, *args, file, unit, mode, dry_run, strict, format, user, error_report: str | None, **options
    ):
        try:
            target = Unit.objects.get(code=unit)
        except Unit.DoesNotExist:
            raise CommandError(_("No unit has the code «%(code)s».") % {"code": unit}) from None
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("No user has the name «%(name)s».") % {"name": user})
        if not Path(file).is_file():
            raise CommandError(_("No file «%(file)s».") % {"file": file})
        if error_report and not Path(error_report).resolve().parent.is_dir():
            # Said now: the report is written after the commit, too late to refuse the import.
            raise CommandError(
                _("--error-report: no folder %(folder)s to write the report in.")
                % {"folder": Path(error_report).resolve().parent}
            )
        bar = ProgressBar(sys.stderr)
        try:
            with change_context(user=actor), transaction.atomic() if dry_run else contextlib.nullcontext():
                result = self._import(file, target, mode, actor, dry_run, strict, bar, error_report)
                if dry_run:
                    transaction.set_rollback(True)  # not even the staged rows stay
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        finally:
            bar.close()
        self._print(result, format, dry_run)
        if result["file_error"]:
            sys.exit(EXIT_REFUSED)
        if result["errors"] or any(not d["decision"] for d in result["duplicates"]):
            sys.exit(EXIT_ROWS_LEFT_OUT)

    def _import(self, file, unit, mode, actor, dry_run, strict, bar, report_path) -> dict:
        batch = services.create_batch(file=file, unit=unit, mode=mode, user=actor)
        services.read_batch(batch=batch, progress=bar)
        left_out = batch.rows_error or batch.rows_duplicate
        if batch.state == ImportBatch.State.READY and not dry_run and not (strict and left_out):
            services.commit_batch(batch=batch, user=actor, skip_undecided=True, progress=bar)
        if report_path and batch.state != ImportBatch.State.REFUSED:
            with open(report_path, "wb") as stream:
                error_report(stream, batch=batch)
        result = services.summary(batch)
        result["dry_run"] = dry_run
        return result

    def _print(self, result: dict, format: str, dry_run: bool) -> None:
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        if result["file_error"]:
            self.stdout.write(_("File refused: %(reason)s") % {"reason": result["file_error"]})
            return
        counts = [
            (_("Rows"), result["rows"]),
            (_("Valid"), result["valid"]),
            (_("New"), result["new"]),
            (_("To update"), result["to_update"]),
            (_("Unchanged"), result["unchanged"]),
            (_("With errors"), result["rows"] - result["valid"]),
            (_("Possible duplicates"), len(result["duplicates"])),
            (_("Added"), result["created"]),
            (_("Updated"), result["updated"]),
        ]
        self.stdout.write(tabulate(counts, tablefmt="plain", intfmt=","))
        for notice in result["notices"]:
            self.stdout.write(f"• {notice}")
        if dry_run:
            self.stdout.write(_("Dry run (--dry-run): nothing was written to the member registry."))
        row, message = ("row", _("Row")), ("message", _("Message"))
        for title, items, columns in (
            (_("Errors"), result["errors"], (row, ("column", _("Column")), message)),
            (
                _("Possible duplicates"),
                result["duplicates"],
                (row, ("duplicate_of_row", _("Same as row")), ("member_code", _("Member code")), message),
            ),
        ):
            if items:
                self.stdout.write(f"\n{title} ({len(items)}):")
                self.stdout.write(
                    tabulate(
                        [[item[key] for key, _header in columns] for item in items[:TABLE_ROWS]],
                        headers=[header for _key, header in columns],
                        maxcolwidths=[None] * (len(columns) - 1) + [70],
                    )
                )
                if len(items) > TABLE_ROWS:
                    self.stdout.write(
                        _("… %(count)d more (--format json, or --error-report FILE)")
                        % {"count": len(items) - TABLE_ROWS}
                    )
