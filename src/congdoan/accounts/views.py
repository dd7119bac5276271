from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from congdoan.accounts import services
from congdoan.accounts.forms import ThrottledAuthenticationForm, UserForm
from congdoan.accounts.models import Action, User
from congdoan.accounts.scope import get_for, restrict
from congdoan.core.text import fold


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        services.forget_failed_logins(username=form.get_user().get_username())
        return super().form_valid(form)


def _require_manage_users(user) -> None:
    if not user.can(Action.MANAGE_USERS):
        raise PermissionDenied(_("Only administrators manage user accounts."))


@require_safe
def user_list(request):
    _require_manage_users(request.user)
    users = restrict(User.objects.select_related("unit"), request.user, Action.MANAGE_USERS)
    query = request.GET.get("q", "").strip()
    # Every word, without diacritics, in the user name, the person's name or the unit's code and names.
    for word in fold(query).split():
        users = users.filter(Q(search_text__contains=word) | Q(unit__search_text__contains=word))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


def user_form(request, pk: int | None = None):
    _require_manage_users(request.user)
    account = (
        get_for(User.objects.select_related("unit"), request.user, Action.MANAGE_USERS, pk=pk) if pk else None
    )
    form = UserForm(request.POST or None, instance=account, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save()
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The account %(name)s was saved.") % {"name": saved.get_username()})
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "account": account})
