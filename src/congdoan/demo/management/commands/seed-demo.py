"""congdoan seed-demo --members N --seed S [--province NAME]: the demo, with N members in one province."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from congdoan.demo.builder import DEFAULT_SEED, MIN_PROVINCE_MEMBERS
from congdoan.demo.console import load_demo, prepare_database
from congdoan.demo.members import workforce_for
from congdoan.demo.places import KIEN_GIANG, PROVINCES, find_province
from congdoan.units.models import Unit


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _(
            "Migrate the database and, while it has no units, build the demo into it (five provinces, their "
            "union trees from 2019, the 2025 reorganisation, and the members of every grassroots union with "
            "their history) with one province sized by --members. N is the number of member records the "
            "province gets, exactly: its employers hold about as many workers as it needs for them (at about "
            "71 workers per grassroots union), and the members are written a group of unions at a time, so "
            "memory stays flat. The same seed builds the same tree and people."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--members", type=int, metavar="N", help=_("member records to create in the province")
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S")
        parser.add_argument(
            "--province",
            default=KIEN_GIANG.name,
            metavar="NAME",
            help=_("the province to size: %(names)s") % {"names": ", ".join(p.name for p in PROVINCES)},
        )

    def handle(self, *args, members, seed, province, verbosity, **options):
        chosen = find_province(province)
        if chosen is None:
            raise CommandError(
                _("No demo province is called «%(name)s»; choose one of: %(names)s.")
                % {"name": province, "names": ", ".join(p.name for p in PROVINCES)}
            )
        if members is not None and members < MIN_PROVINCE_MEMBERS:
            raise CommandError(
                _("--members must be at least %(minimum)s for a province.")
                % {"minimum": number_format(MIN_PROVINCE_MEMBERS, force_grouping=True)}
            )
        prepare_database(self.stdout, verbosity)
        if Unit.objects.exists():
            raise CommandError(
                _("The database already holds units; seed-demo builds into an empty database.")
            )
        if members is None:
            load_demo(self.stdout, seed=seed)
        else:
            load_demo(
                self.stdout,
                seed=seed,
                members={chosen.key: workforce_for(members)},
                people={chosen.key: members},
            )
