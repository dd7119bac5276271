"""congdoan add-user USERNAME --unit CODE --role ROLE: create an account from the console."""

import getpass
import os
import sys

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congdoan.accounts import services
from congdoan.accounts.models import Role, User
from congdoan.audit.context import change_context
from congdoan.units.models import Unit

PASSWORD_VARIABLE = "CONGDOAN_PASSWORD"


def validation_lines(error: ValidationError) -> str:
    """One line per problem, each naming its field as the user knows it, for the console."""
    if not hasattr(error, "error_dict"):
        return "\n".join(error.messages)
    lines = []
    for name, messages in error.message_dict.items():
        try:
            label = User._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            label = name
        lines += [f"{label}: {message}" for message in messages]
    return "\n".join(lines)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse formats only plain text, so translate when asked
        return _(
            "Create a user attached to a unit with a role. The password comes from the CONGDOAN_PASSWORD "
            "environment variable, or is asked twice at the prompt."
        )

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("user name to log in with"))
        parser.add_argument(
            "--unit",
            dest="unit_code",
            metavar="CODE",
            required=True,
            help=_("code of the user's unit"),
        )
        parser.add_argument(
            "--role",
            required=True,
            help=_("one of: %(roles)s") % {"roles": ", ".join(Role.values)},
        )
        parser.add_argument("--first-name", default="", help=_("given name"))
        parser.add_argument("--last-name", default="", help=_("family name"))
        parser.add_argument("--email", default="", help=_("e-mail address"))

    def handle(self, *args, username, unit_code, role, first_name, last_name, email, **options):
        if role not in Role.values:
            raise CommandError(
                _("Unknown role «%(role)s»; the roles are: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            )
        unit = Unit.objects.filter(code__iexact=unit_code).first()
        if unit is None:
            raise CommandError(_("No unit has the code «%(code)s».") % {"code": unit_code})
        password = self._password()
        try:
            with change_context():
                user = services.create_user(
                    username=username,
                    unit=unit,
                    role=role,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                )
        except ValidationError as error:
            raise CommandError(validation_lines(error)) from None
        self.stdout.write(
            _("Created user %(username)s at %(unit)s (%(code)s) with the role %(role)s.")
            % {
                "username": user.username,
                "unit": unit.name,
                "code": unit.code,
                "role": user.get_role_display(),
            }
        )

    def _password(self) -> str:
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError(
                    _("No password: set %(variable)s in the environment or run the command in a terminal.")
                    % {"variable": PASSWORD_VARIABLE}
                )
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password again: ")):
                raise CommandError(_("The two passwords differ."))
        if not password:
            raise CommandError(_("The password is empty."))
        return password
