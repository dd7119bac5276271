"""congdoan demo [--port N] [--no-serve]: a database with the demo in it, the logins, and a server."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _
from tabulate import tabulate

from congdoan.accounts.models import Role
from congdoan.demo.builder import DEFAULT_SEED
from congdoan.demo.console import load_demo, prepare_database
from congdoan.demo.logins import ensure_demo_users
from congdoan.units.models import Unit


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _(
            "Migrate the database (SQLite under var/ unless DATABASE_URL says otherwise), load the demo "
            "if the database has no units yet, create the demo users, print their logins and serve the site "
            "on http://127.0.0.1:PORT with DEBUG on. Running it again changes nothing that is already there."
        )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help=_("port to serve on (8000)"))
        parser.add_argument("--no-serve", action="store_true", help=_("prepare the database and stop"))

    def handle(self, *args, port, no_serve, verbosity, **options):
        if not 0 < port < 65536:
            raise CommandError(_("The port must be a number from 1 to 65535."))
        prepare_database(self.stdout, verbosity)
        if Unit.objects.exists():
            self.stdout.write(_("The database already holds units: the demo data is not loaded again."))
        else:
            load_demo(self.stdout, seed=DEFAULT_SEED)
        logins, missing = ensure_demo_users()
        self._print_logins(logins)
        for note in missing:
            self.stderr.write(note)
        if not no_serve:
            self._serve(port)

    def _print_logins(self, logins) -> None:
        roles = dict(Role.choices)
        rows = [
            [
                login.username,
                login.password or _("(changed)"),
                f"{login.unit.name} ({login.unit.code})",
                roles[login.role],
            ]
            for login in logins
        ]
        headers = [_("User name"), _("Password"), _("Unit"), _("Role")]
        self.stdout.write(_("Demo logins:"))
        self.stdout.write(tabulate(rows, headers=headers, disable_numparse=True))

    def _serve(self, port: int) -> None:
        """Hand over to the development server in a fresh process, as settings read DEBUG only at start-up.

        With DEBUG on, runserver serves the static files from the apps' folders (no collectstatic needed).
        """
        address = f"127.0.0.1:{port}"
        self.stdout.write(
            _("Serving the demo on http://%(address)s/ (Ctrl+C stops it).") % {"address": address}
        )
        self.stdout.flush()
        connections.close_all()
        environment = {**os.environ, "DEBUG": "1", "CONGDOAN_DEMO": "1"}
        os.execve(sys.executable, [sys.executable, "-m", "congdoan", "runserver", address], environment)
