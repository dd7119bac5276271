from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from congdoan.accounts import services
from congdoan.accounts.models import Action, User
from congdoan.units.forms import ServiceErrors, UnitField, scoped_units


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form; refuses outright while a user name or an address has failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed logins for this user name or from this address. Try again after %(time)s."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = services.client_address(self.request)
        until = services.locked_until(username=username, address=address)
        if until is not None:
            # Refused before the password is even checked, so guessing on gains nothing.
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"time": date_format(timezone.localtime(until), "H:i d/m/Y")},
            )
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                services.record_failed_login(username=username, address=address)
            raise


class UserForm(ServiceErrors, forms.ModelForm):
    """An account in the administrator's subtree: a unit of theirs and a role."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    unit = UnitField(label=_("Unit"), action=Action.MANAGE_USERS)

    service_fields = {"password": "password1"}

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "unit", "role", "is_active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(actor, Action.MANAGE_USERS)
        if self.instance.pk is None:
            self.fields["password1"].required = self.fields["password2"].required = True
            del self.fields["is_active"]  # a new account is active
        else:
            self.fields["password1"].help_text = _("Leave empty to keep the current password.")

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data["password2"]
        if first and first != second:
            raise ValidationError(_("The two passwords differ."))
        return second

    def _post_clean(self):
        super()._post_clean()
        # Checked once the instance holds the new names, which the similarity rule compares against.
        password = self.cleaned_data.get("password1")
        if password and not self.has_error("password2"):
            try:
                password_validation.validate_password(password, self.instance)
            except ValidationError as error:
                self.add_error("password1", error)

    def save(self, commit=True):
        """A new account goes through the accounts service; an existing one is saved as edited."""
        data = self.cleaned_data
        if self.instance.pk is None:
            return services.create_user(
                username=data["username"],
                unit=data["unit"],
                role=data["role"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        user = super().save(commit=False)
        if data.get("password1"):
            user.set_password(data["password1"])
        if commit:
            user.save()
        return user
