"""``congdoan programmes list|import``: the programmes in the system, and loading programme files."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from tabulate import tabulate

from congdoan.accounts.models import User
from congdoan.audit.context import change_context
from congdoan.plans import selectors, services


def _user(username: str | None) -> User | None:
    if not username:
        return None
    try:
        return User.objects.select_related("unit").get(username=username)
    except User.DoesNotExist:
        raise CommandError(_("There is no user %(name)s.") % {"name": username}) from None


def _complaints(error: ValidationError) -> list[str]:
    return [f"{where}: {message}" for where, messages in error.message_dict.items() for message in messages]


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _("List the programmes, or import programme files (JSON, format congdoan.programme/1).")

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        listing = commands.add_parser("list", help=_("The programmes, newest first."))
        listing.add_argument("--format", choices=["json", "table"], default="table")
        listing.add_argument("--user", help=_("Show only what this user may see (default: everything)."))
        importing = commands.add_parser("import", help=_("Create or update programmes from files."))
        importing.add_argument("files", nargs="*", type=Path, metavar="FILE")
        importing.add_argument(
            "--seeds", action="store_true", help=_("Also the seed programmes of congdoan.")
        )
        importing.add_argument(
            "--user", help=_("Import as this user, within their unit (default: the system).")
        )

    def handle(self, *args, action: str, user: str | None = None, **options):
        if action == "list":
            self.show(_user(user), options["format"])
        else:
            files = [*options["files"], *(services.seed_files() if options["seeds"] else [])]
            if not files:
                raise CommandError(_("Name at least one programme file, or --seeds."))
            self.load(_user(user), files)

    def show(self, user: User | None, output: str) -> None:
        programmes = selectors.programmes_for(user) if user else selectors.programme_queryset()
        summaries = [selectors.programme_summary(programme) for programme in programmes]
        if output == "json":
            self.stdout.write(json.dumps(summaries, ensure_ascii=False, indent=2))
            return
        rows = [
            [
                s["ref"],
                s["kind_label"],
                s["number"] or "",
                date_format(p.issued_on, "SHORT_DATE_FORMAT"),
                s["issuer"],
                s["year"] or s["period"],
                len(s["targets"]),
                s["tasks"],
            ]
            for s, p in zip(summaries, programmes, strict=True)
        ]
        headers = [
            _("ref"),
            _("kind"),
            _("number"),
            _("date"),
            _("issued by"),
            _("year"),
            _("targets"),
            _("tasks"),
        ]
        self.stdout.write(tabulate(rows, headers=headers))

    def load(self, user: User | None, files: list[Path]) -> None:
        failures = []
        with change_context(user=user):
            for path in files:
                try:
                    outcome = services.import_programme(content=path.read_bytes(), user=user)
                except OSError as error:
                    failures.append(f"{path}: {error.strerror}")
                    continue
                except ValidationError as error:
                    failures += _complaints(services.in_file(str(path), error))
                    continue
                except PermissionDenied as error:
                    failures.append(f"{path}: {error}")
                    continue
                for warning in outcome.warnings:
                    self.stderr.write(f"{path}: {warning}")
                if outcome.created:
                    state = _("created")
                elif outcome.changes:
                    state = _("updated (%(count)s changes)") % {"count": outcome.changes}
                else:
                    state = _("unchanged")
                self.stdout.write(f"{outcome.programme.ref}: {state}")
        if failures:
            raise CommandError("\n".join(failures))
