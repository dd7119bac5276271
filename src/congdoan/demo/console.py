"""What the demo commands share: loading the demo and saying what was loaded."""

import time
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from congdoan.demo.builder import build_demo
from congdoan.demo.places import PROVINCES_BY_KEY


def prepare_database(stdout: OutputWrapper, verbosity: int) -> None:
    """Migrate the database, creating the SQLite file's folder (var/ by default) if need be."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=stdout)


def load_demo(
    stdout: OutputWrapper,
    *,
    seed: int,
    members: Mapping[str, int] | None = None,
    people: Mapping[str, int] | None = None,
) -> None:
    started = time.monotonic()
    result = build_demo(seed=seed, members=members, people=people)
    seconds = time.monotonic() - started
    stdout.write(
        _(
            "Demo loaded in %(seconds)s s: %(units)s units, %(employers)s employers, "
            "%(decisions)s decisions, %(members)s members with %(events)s events."
        )
        % {
            "seconds": number_format(seconds, 1),
            "units": number_format(result.units, force_grouping=True),
            "employers": number_format(result.employers, force_grouping=True),
            "decisions": number_format(result.decisions, force_grouping=True),
            "members": number_format(result.members, force_grouping=True),
            "events": number_format(result.member_events, force_grouping=True),
        }
    )
    for key, workforce in result.workforce.items():
        stdout.write(
            _("  %(province)s: employers with %(workforce)s workers in all")
            % {
                "province": PROVINCES_BY_KEY[key].full_name,
                "workforce": number_format(workforce, force_grouping=True),
            }
        )
