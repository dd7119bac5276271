"""congdoan seed-demo --members N --seed S [--province NAME]: the demo, with one province built to size."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from congdoan.demo.builder import DEFAULT_SEED, MIN_PROVINCE_MEMBERS
from congdoan.demo.console import load_demo, prepare_database
from congdoan.demo.places import KIEN_GIANG, PROVINCES, find_province
from congdoan.units.models import Unit


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _(
            "Migrate the database and, while it has no units, build the demo tree into it (five provinces, "
            "their history from 2019 and the 2025 reorganisation) with one province sized by --members. "
            "N is the number of members the province should hold. No member records are created: N sets "
            "the workforce of the province's employers (the members its grassroots unions could hold) and, "
            "at about 71 workers each, how many grassroots unions it has. The same seed builds the same tree."
        )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, metavar="N", help=_("members the province should hold"))
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
        load_demo(self.stdout, seed=seed, members={chosen.key: members or chosen.members})
