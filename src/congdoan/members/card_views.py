"""Card pages: the campaign's progress per unit, requests (made by a CĐCS, decided by the upper level) and
print batches with their PDF sheet (made by a background job when the batch is large) and printer's list.

Every object is fetched through the user's scope (``get_for``: 404 outside it); every write goes through a
service of ``members.cards``, whose refusals come back beside the field they name.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for
from congdoan.members import card_exports, cards, downloads
from congdoan.members.card_forms import (
    BatchForm,
    BatchUnitForm,
    CancelBatchForm,
    CardRequestFilterSet,
    CardRequestForm,
    CardUnitForm,
    CoverageForm,
    IssueDateForm,
    RejectForm,
    UndoForm,
    WithdrawForm,
)
from congdoan.members.models import CardPrintBatch, CardRequest
from congdoan.members.views import ListPage, _page, pdf_available
from congdoan.units.selectors import children_on


def _require_change(user) -> None:
    if not user.can(Action.CHANGE):
        raise PermissionDenied(_("Your role does not allow this change."))


# ------------------------------------------------------------------------------------------- overview


@require_safe
def overview(request):
    """The renewal campaign's progress: the chosen unit and each unit under it, as the tree stood then."""
    form = CoverageForm(request.GET or None, user=request.user)
    unit, since, on = form.chosen()
    # With no unit (a superuser, attached to none), the units under no parent: the roots of the tree.
    below = [link.unit for link in children_on(user=request.user, parent=unit, on=on)]
    shown = below if unit is None else [unit, *below]
    coverage = cards.card_coverage([u.pk for u in shown], on, since)
    table = [
        (u, *coverage[u.pk], cards.coverage_percent(*coverage[u.pk]), index == 0 and unit is not None)
        for index, u in enumerate(shown)
    ]
    return render(
        request,
        "members/cards/overview.html",
        {
            "form": form,
            "unit": unit,
            "since": since,
            "on": on,
            "table": table,
            "waiting": cards.requests_for(request.user).filter(state=CardRequest.State.PENDING).count(),
            "can_change": request.user.can(Action.CHANGE),
        },
    )


# ------------------------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Steps:
    """The words of a two-step page: a unit chosen first, then what the second form gathers under it."""

    title: str
    intro: str
    submit: str
    nothing: str  # with %(unit)s: the second form has nothing to offer
    done: str
    detail: str  # the URL name of what the second form made
    back: str  # the URL name of the list it belongs to


REQUEST_STEPS = Steps(
    title=gettext_lazy("Request cards"),
    intro=gettext_lazy(
        "The grassroots union lists the members who need a card; the upper level approves the list, then "
        "prints the cards."
    ),
    submit=gettext_lazy("Send for approval"),
    nothing=gettext_lazy("Every member of %(unit)s already has a request waiting, or it has no members."),
    done=gettext_lazy("The request was sent to the upper level for approval."),
    detail="members:card_request",
    back="members:card_requests",
)
BATCH_STEPS = Steps(
    title=gettext_lazy("Prepare a print batch"),
    intro=gettext_lazy("The upper level prints the cards of the approved requests of its grassroots unions."),
    submit=gettext_lazy("Prepare the batch"),
    nothing=gettext_lazy("No approved request under %(unit)s is waiting to be printed."),
    done=gettext_lazy("The print batch was prepared: download the cards and the list."),
    detail="members:card_batch",
    back="members:card_batches",
)


def _two_steps(request, unit_form_class, form_class, steps: Steps):
    """Choose a unit (the user's own by default, when it fits), then fill and send the form for that unit."""
    user = request.user
    _require_change(user)
    chosen = request.GET.copy()
    fits = unit_form_class(user=user).fields["unit"].queryset.filter(pk=user.unit_id).exists()
    if "unit" not in chosen and fits:
        chosen["unit"] = user.unit.code
    unit_form = unit_form_class(chosen if "unit" in chosen else None, user=user)
    unit = unit_form.cleaned_data["unit"] if unit_form.is_valid() else None
    form = None
    if unit is not None:
        form = form_class(request.POST or None, user=user, unit=unit)
        if request.method == "POST" and form.is_valid():
            try:
                made = form.save()
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, steps.done)
                return redirect(steps.detail, pk=made.pk)
    return render(
        request,
        "members/cards/two_steps.html",
        {
            "steps": steps,
            "unit_form": unit_form,
            "unit": unit,
            "form": form,
            "offered": form is not None and form.offers_something(),
            "nothing": steps.nothing % {"unit": unit} if unit else "",
        },
    )


@require_safe
def request_list(request):
    filterset = CardRequestFilterSet(request.GET, queryset=cards.requests_for(request.user), request=request)
    page = _page(filterset.qs, request.GET.get("page"))
    return render(
        request,
        "members/cards/request_list.html",
        {
            "page": page,
            "state": request.GET.get("state", ""),
            "states": CardRequest.State.choices,
            "can_change": request.user.can(Action.CHANGE),
        },
    )


def request_new(request):
    """Step one chooses the CĐCS (a chair's own by default); step two ticks its members."""
    return _two_steps(request, CardUnitForm, CardRequestForm, REQUEST_STEPS)


def _card_request(request, pk, action=Action.VIEW) -> CardRequest:
    return get_for(cards.requests_for(request.user), request.user, action, pk=pk)


@require_safe
def request_detail(request, pk: int):
    return _render_request(request, _card_request(request, pk), RejectForm())


def _render_request(request, card_request: CardRequest, reject_form: RejectForm):
    return render(
        request,
        "members/cards/request_detail.html",
        {
            "card_request": card_request,
            "items": cards.request_items(card_request),
            "may_decide": card_request.state == CardRequest.State.PENDING
            and cards.may_decide(request.user, card_request.unit),
            "may_withdraw": cards.may_withdraw(request.user, card_request),
            "reject_form": reject_form,
        },
    )


@require_POST
def request_approve(request, pk: int):
    card_request = _card_request(request, pk, Action.CHANGE)
    try:
        cards.approve_request(request=card_request, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request was approved; its cards can now be printed."))
    return redirect("members:card_request", pk=card_request.pk)


@require_POST
def request_reject(request, pk: int):
    card_request = _card_request(request, pk, Action.CHANGE)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            cards.reject_request(request=card_request, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The request was rejected."))
            return redirect("members:card_request", pk=card_request.pk)
    return _render_request(request, card_request, form)


# ------------------------------------------------------------------------------------- taking back


@dataclass(frozen=True)
class Undo:
    """The words of a confirmation page that takes a step of the workflow back (%(number)s: the object's)."""

    title: str
    intro: str
    submit: str
    done: str
    detail: str  # the URL name of the object's page
    danger: bool = True


WITHDRAW = Undo(
    title=gettext_lazy("Withdraw the approval of card request No. %(number)s"),
    intro=gettext_lazy(
        "Its cards will not be printed, and the grassroots union may ask again for these members. Say why, "
        "for the grassroots union to read."
    ),
    submit=gettext_lazy("Withdraw the approval"),
    done=gettext_lazy("The approval was withdrawn; the grassroots union may ask again for these members."),
    detail="members:card_request",
)
CANCEL_BATCH = Undo(
    title=gettext_lazy("Cancel print batch No. %(number)s"),
    intro=gettext_lazy(
        "Its requests stay approved and wait for another batch; the batch is kept, marked cancelled, with "
        "the reason. Cards already printed from it must not be handed out."
    ),
    submit=gettext_lazy("Cancel the batch"),
    done=gettext_lazy("The batch was cancelled; its requests wait for another batch."),
    detail="members:card_batch",
)
CHANGE_DATE = Undo(
    title=gettext_lazy("Change the date of issue of print batch No. %(number)s"),
    intro=gettext_lazy(
        "The cards carry this date; print them again from the new files. A card cannot be dated before its "
        "member joined the union, nor before the card it replaces."
    ),
    submit=gettext_lazy("Change the date"),
    done=gettext_lazy("The date of issue was changed: download the cards and the list again."),
    detail="members:card_batch",
    danger=False,
)


def _undo(request, target, form_class: type[UndoForm], words: Undo):
    """Show the confirmation form of ``words`` for ``target``; once sent and accepted, back to its page."""
    form = form_class(request.POST or None, user=request.user, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, words.done)
            return redirect(words.detail, pk=target.pk)
    return render(
        request,
        "members/cards/undo.html",
        {"words": words, "title": words.title % {"number": target.pk}, "form": form, "target": target},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def request_withdraw(request, pk: int):
    return _undo(request, _card_request(request, pk, Action.CHANGE), WithdrawForm, WITHDRAW)


@require_http_methods(["GET", "HEAD", "POST"])
def batch_cancel(request, pk: int):
    return _undo(request, _batch(request, pk, Action.CHANGE), CancelBatchForm, CANCEL_BATCH)


@require_http_methods(["GET", "HEAD", "POST"])
def batch_date(request, pk: int):
    return _undo(request, _batch(request, pk, Action.CHANGE), IssueDateForm, CHANGE_DATE)


# -------------------------------------------------------------------------------------------- batches


@require_safe
def batch_list(request):
    page: ListPage = _page(cards.batches_for(request.user), request.GET.get("page"))
    return render(
        request,
        "members/cards/batch_list.html",
        {"page": page, "can_change": request.user.can(Action.CHANGE)},
    )


def batch_new(request):
    """Step one chooses the printing unit (the user's own by default); step two ticks approved requests."""
    return _two_steps(request, BatchUnitForm, BatchForm, BATCH_STEPS)


def _batch(request, pk, action=Action.VIEW) -> CardPrintBatch:
    return get_for(cards.batches_for(request.user), request.user, action, pk=pk)


@require_safe
def batch_detail(request, pk: int):
    batch = _batch(request, pk)
    return render(
        request,
        "members/cards/batch_detail.html",
        {
            "batch": batch,
            "faces": card_exports.faces(batch, translation.get_language()),
            "released": cards.requests_for(request.user).filter(pk__in=batch.released_requests),
            # Handed out, or corrected, or cancelled: only while it is being printed.
            "can_change": batch.state == CardPrintBatch.State.PREPARED
            and cards.batches_for(request.user, Action.CHANGE).filter(pk=batch.pk).exists(),
            "pdf_available": pdf_available(),
        },
    )


@require_POST
def batch_issue(request, pk: int):
    batch = _batch(request, pk, Action.CHANGE)
    try:
        count = cards.issue_batch(batch=batch, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)s cards were recorded as handed out.") % {"n": count})
    return redirect("members:card_batch", pk=batch.pk)


@require_safe
def batch_pdf(request, pk: int):
    batch = card_exports.printable(_batch(request, pk))
    if not pdf_available():
        raise Http404(_("PDF output is not installed on this server."))
    if downloads.sheet_is_long(batch):
        # Too long to wait for: a job makes it; its page offers the file once it is ready.
        return redirect(
            "members:export_job", pk=downloads.start_card_sheet(user=request.user, batch=batch).pk
        )
    response = HttpResponse(card_exports.sheet_pdf(batch), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{card_exports.file_stem(batch)}.pdf"'
    return response


@require_safe
def batch_xlsx(request, pk: int):
    batch = card_exports.printable(_batch(request, pk))
    return downloads.download(
        lambda stream: card_exports.write_xlsx(stream, batch), f"{card_exports.file_stem(batch)}.xlsx"
    )
