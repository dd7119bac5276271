"""Member cards (thẻ đoàn viên): requests, approval, print batches, the cards issued, campaign coverage.

The official workflow (DOMAIN.md §2): a grassroots union (CĐCS) lists the members who need a card (a new
card, or a replacement: lost, damaged, changed details, the renewal campaign "đổi thẻ") and sends the list
up; the upper level (its upper union, ``upper_union``, or a level above it in whose scope it stands, never
the CĐCS itself) approves or rejects it with a reason; approved requests are printed in batches by the
upper level; handing a batch out issues the cards: each is recorded in the member's history
(``MemberCard``) and mirrored on the member (``card_type``, ``card_issued_on``). A member who leaves the
CĐCS, or moves to another, before the card is handed out gets none from its request (neither printed nor
issued); the new CĐCS asks for its own.

Until the cards are handed out, the upper level may take a step back: cancel a batch (its requests wait,
approved, for another one; the batch is kept, cancelled, with who, when and why), correct a batch's date of
issue, or withdraw its approval of a request none of whose cards is in a batch (the CĐCS may ask again).

Card number: the member code, a dash and the card's rank among the member's cards, two digits
(``2412345675-01`` for the first card, ``-02`` for its replacement): unique, stable, and it names its owner.

Services are keyword-only, one transaction each; refusals are ``ValidationError`` keyed by the field they
are about, in the user's language. Selectors read through the user's scope.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_many
from congdoan.members.models import (
    MEMBER_STATES,
    CardPrintBatch,
    CardReason,
    CardRequest,
    CardRequestItem,
    CardType,
    Member,
    MemberCard,
    Membership,
)
from congdoan.units.models import PATH_STEP, Level, Unit, path_prefixes
from congdoan.units.selectors import tree_on, valid_on

CARD_LEVELS = (Level.GRASSROOTS, Level.SUBUNIT)
OPEN_STATES = (CardRequest.State.PENDING, CardRequest.State.APPROVED)
DAYS_AHEAD = 366  # how far ahead of today a print batch's cards may be dated


@dataclass(frozen=True)
class CardWish:
    """One member of a request: why they need a card and which kind."""

    member: Member
    reason: str
    card_type: str = CardType.REGULAR


def card_number(member: Member, rank: int) -> str:
    return f"{member.code}-{rank:02d}"


def _d(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --------------------------------------------------------------------------------------------- rights


def may_request(user, unit: Unit) -> bool:
    """Whether ``user`` may ask for cards for the members of ``unit`` (change rights on it)."""
    return restrict(Unit.objects.filter(pk=unit.pk), user, Action.CHANGE).exists()


def upper_union(unit: Unit) -> Unit | None:
    """The union ``unit`` sends its card requests to: its nearest ancestor above the grassroots level (a
    district, commune or sector union; the province for a CĐCS standing directly under it; for a sub-unit,
    its CĐCS's upper union)."""
    ancestors = path_prefixes(unit.path)[:-1]
    # Paths grow by a fixed step down the tree: the longest is the nearest ancestor.
    return (
        Unit.objects.filter(path__in=ancestors)
        .exclude(unit_type__level__in=CARD_LEVELS)
        .order_by("-path")
        .first()
    )


def _in_requesting_union(user, unit: Unit, upper: Unit | None) -> bool:
    """Whether ``user`` belongs to the CĐCS that ``unit`` is (or is part of): the one just below ``upper``."""
    if user.unit_id is None:
        return False
    cdcs_path = unit.path[: len(upper.path) + PATH_STEP] if upper is not None else unit.path
    return Unit.objects.filter(pk=user.unit_id, path__under=cdcs_path).exists()


def may_decide(user, unit: Unit) -> bool:
    """Whether ``user`` is the upper level of ``unit``: change rights on its upper union, and not a user of
    the CĐCS itself."""
    if user is None or not user.is_authenticated:
        return False
    upper = upper_union(unit)
    if upper is None or _in_requesting_union(user, unit, upper):
        return False
    return _may_change(user, upper)


def _may_change(user, upper: Unit) -> bool:
    return restrict(Unit.objects.filter(pk=upper.pk), user, Action.CHANGE).exists()


def may_withdraw(user, request: CardRequest) -> bool:
    """Whether ``user`` may take back the approval of ``request`` (``withdraw_request`` would accept it)."""
    if request.state != CardRequest.State.APPROVED or request.items.filter(batch__isnull=False).exists():
        return False
    try:
        _check_upper_level(request, user)
    except ValidationError:
        return False
    return True


def _still_standing() -> Q:
    """Items whose member still stands in the CĐCS that asked: one who left it or moved since gets no card
    from its request (the new CĐCS asks for its own)."""
    return Q(member__unit=F("request__unit"), member__status__in=MEMBER_STATES)


def _stands(item: CardRequestItem) -> bool:
    """``_still_standing`` for an item read with its member and request."""
    return item.member.unit_id == item.request.unit_id and item.member.status in MEMBER_STATES


def _open_item() -> Q:
    """Items not yet issued of requests waiting for approval or approved: one per member at a time."""
    return Q(card__isnull=True, request__state__in=OPEN_STATES) & _still_standing()


def _open_items(members) -> QuerySet[CardRequestItem]:
    return CardRequestItem.objects.filter(_open_item(), member__in=members).select_related(
        "request", "member"
    )


REPLACEMENTS = (CardReason.LOST, CardReason.DAMAGED, CardReason.CHANGED)


def holding_a_card(members: Sequence[Member]) -> set[int]:
    """The ids of ``members`` who hold a card: one in their history, or one known only from the member's
    own card fields (an imported list, cards issued before the history was kept)."""
    holders = {member.pk for member in members if member.card_type or member.card_issued_on}
    return holders | set(
        MemberCard.objects.filter(member__in=members).values_list("member_id", flat=True).distinct()
    )


def filed_reason(reason: str, holds_card: bool) -> str:
    """The reason a wish is filed under: the renewal campaign gives a member who holds no card (joined since,
    or never issued one) a first card, as the campaign means everyone to have the new card; the history then
    says "new card", not a renewal of a card that never was."""
    return CardReason.NEW if reason == CardReason.RENEWAL and not holds_card else reason


# ------------------------------------------------------------------------------------------- requests


@transaction.atomic
def request_cards(*, user, unit: Unit, wishes: Sequence[CardWish], note: str = "") -> CardRequest:
    """A CĐCS asks for cards for some of its members; the request waits for the upper level."""
    if not may_request(user, unit):
        raise PermissionDenied(
            _("Only a user who may change %(unit)s asks for cards for its members.") % {"unit": unit}
        )
    if unit.unit_type.level not in CARD_LEVELS:
        raise ValidationError(
            {"unit": _("Cards are requested by a grassroots union; %(unit)s is not one.") % {"unit": unit}}
        )
    if not unit.is_active:
        raise ValidationError({"unit": _("%(unit)s has ended; it requests no cards.") % {"unit": unit}})
    if not wishes:
        raise ValidationError({"members": _("Choose at least one member.")})
    ids = [wish.member.pk for wish in wishes]
    members = Member.objects.select_for_update().in_bulk(ids)
    holders = holding_a_card(list(members.values()))
    problems: list[str] = []
    if len(set(ids)) != len(ids):
        problems.append(_("A member is listed twice."))
    for wish in wishes:
        member = members.get(wish.member.pk)
        if member is None:
            raise ValidationError({"members": _("Unknown member.")})
        if wish.reason not in CardReason.values:
            raise ValidationError({"reason": _("Unknown reason: %(reason)s.") % {"reason": wish.reason}})
        if wish.card_type not in CardType.values:
            raise ValidationError({"card_type": _("Unknown card type: %(type)s.") % {"type": wish.card_type}})
        if member.unit_id != unit.pk or member.status not in MEMBER_STATES:
            problems.append(
                _("%(member)s (%(code)s) is not a member of %(unit)s.")
                % {"member": member.full_name, "code": member.code, "unit": unit}
            )
        elif wish.reason == CardReason.NEW and member.pk in holders:
            problems.append(
                _("%(member)s (%(code)s) already holds a card: ask for a replacement, with its reason.")
                % {"member": member.full_name, "code": member.code}
            )
        elif wish.reason in REPLACEMENTS and member.pk not in holders:
            # A lost card nobody recorded is a gap in the register, not a first card: say where to fix it.
            problems.append(
                _(
                    "%(member)s (%(code)s) holds no card to replace: ask for a new card, or first record "
                    "the card they hold (its date of issue) on their page."
                )
                % {"member": member.full_name, "code": member.code}
            )
    for item in _open_items(list(members.values())):
        problems.append(
            _("%(member)s (%(code)s) already has a card request waiting (request %(request)s).")
            % {"member": item.member.full_name, "code": item.member.code, "request": item.request_id}
        )
    if problems:
        raise ValidationError({"members": problems})
    request = CardRequest.objects.create(unit=unit, requested_by=user, note=note)
    items = CardRequestItem.objects.bulk_create(
        CardRequestItem(
            request=request,
            member=members[wish.member.pk],
            reason=filed_reason(wish.reason, wish.member.pk in holders),
            card_type=wish.card_type,
        )
        for wish in wishes
    )
    log_many(action=ObjectChange.Action.CREATE, objects=items)
    return request


def _check_decider(request: CardRequest, user) -> None:
    if request.state != CardRequest.State.PENDING:
        raise ValidationError(
            _("This request was already decided: %(state)s.")
            % {"state": CardRequest.State(request.state).label}
        )
    _check_upper_level(request, user)


def _check_upper_level(request: CardRequest, user) -> None:
    """Only the upper level of the requesting CĐCS decides on a request, or takes its approval back. A
    request the upper level entered itself, from the CĐCS's list, is still the CĐCS's: that upper level
    decides on it."""
    unit = request.unit
    upper = upper_union(unit)  # found once: ``may_decide`` less the queries already made here
    if _in_requesting_union(user, unit, upper):
        raise ValidationError(_("The level that made the request cannot decide on it; the upper level does."))
    if upper is None or not _may_change(user, upper):
        raise ValidationError(
            _("Only the upper level of %(unit)s decides on its card requests.") % {"unit": unit}
        )


def _locked_request(request: CardRequest) -> CardRequest:
    return (
        CardRequest.objects.select_for_update(of=("self",))
        .select_related("unit", "requested_by")
        .get(pk=request.pk)
    )


def _required(reason: str, refusal: str) -> str:
    """The reason given, trimmed; ``refusal`` (keyed ``reason``) when there is none."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": refusal})
    return reason


def _decide(request: CardRequest, user, state: str, reason: str = "") -> CardRequest:
    request = _locked_request(request)
    _check_decider(request, user)
    request.state = state
    request.decided_by = user
    request.decided_at = timezone.now()
    request.rejection_reason = reason
    request.save()
    return request


@transaction.atomic
def approve_request(*, request: CardRequest, user) -> CardRequest:
    """The upper level approves the request: its cards may now be printed."""
    return _decide(request, user, CardRequest.State.APPROVED)


@transaction.atomic
def reject_request(*, request: CardRequest, user, reason: str) -> CardRequest:
    """The upper level refuses the request, saying why; the CĐCS may ask again."""
    reason = _required(reason, _("Say why the request is rejected."))
    return _decide(request, user, CardRequest.State.REJECTED, reason)


@transaction.atomic
def withdraw_request(*, request: CardRequest, user, reason: str) -> CardRequest:
    """The upper level takes back its approval of a request none of whose cards is in a print batch (one
    being printed, or handed out), saying why; the CĐCS may then ask again for those members."""
    request = _locked_request(request)
    if request.state != CardRequest.State.APPROVED:
        raise ValidationError(
            _("Only an approved request can be withdrawn; this one is: %(state)s.")
            % {"state": CardRequest.State(request.state).label}
        )
    _check_upper_level(request, user)
    # A cancelled batch let go of its items: any batch still named is being printed or was handed out.
    batches = sorted(set(request.items.filter(batch__isnull=False).values_list("batch_id", flat=True)))
    if batches:
        raise ValidationError(
            _(
                "The cards of this request are in print batch %(batches)s: cancel the batch first, if it "
                "was not handed out yet."
            )
            % {"batches": ", ".join(str(batch) for batch in batches)}
        )
    reason = _required(reason, _("Say why the approval is withdrawn."))
    request.take_back(state=CardRequest.State.WITHDRAWN, user=user, reason=reason)
    return request


# -------------------------------------------------------------------------------------------- batches


@transaction.atomic
def create_print_batch(
    *, user, unit: Unit, requests: Sequence[CardRequest], issued_on: datetime.date, note: str = ""
) -> CardPrintBatch:
    """The upper level ``unit`` gathers approved requests of its CĐCS into one print run; the cards will
    carry ``issued_on`` as their date of issue."""
    if not restrict(Unit.objects.filter(pk=unit.pk), user, Action.CHANGE).exists():
        raise PermissionDenied(_("Only a user who may change %(unit)s prints its cards.") % {"unit": unit})
    if not requests:
        raise ValidationError({"requests": _("Choose at least one approved request.")})
    locked = list(
        CardRequest.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk__in=[request.pk for request in requests])
        .order_by("pk")
    )
    problems: list[str] = []
    for request in locked:
        if request.state != CardRequest.State.APPROVED:
            problems.append(
                _("Request %(request)s of %(unit)s is not approved (%(state)s): its cards cannot be printed.")
                % {
                    "request": request.pk,
                    "unit": request.unit,
                    "state": CardRequest.State(request.state).label,
                }
            )
        elif request.unit.pk == unit.pk or not request.unit.path.startswith(unit.path):
            problems.append(
                _("Request %(request)s is of %(unit)s, which is not under %(upper)s.")
                % {"request": request.pk, "unit": request.unit, "upper": unit}
            )
    items = list(
        CardRequestItem.objects.filter(request__in=locked).select_related("request", "member", "batch")
    )
    for request_id in sorted({item.request_id for item in items if item.batch_id is not None}):
        problems.append(_("Request %(request)s is already in a print batch.") % {"request": request_id})
    if problems:
        raise ValidationError({"requests": problems})
    printed = [item for item in items if _stands(item)]
    if not printed:
        raise ValidationError(
            {
                "requests": _(
                    "None of the members of these requests still stands in the grassroots union that asked: "
                    "there is no card to print."
                )
            }
        )
    _check_issue_date(printed, issued_on)
    batch = CardPrintBatch.objects.create(unit=unit, created_by=user, issued_on=issued_on, note=note)
    _update_logged(printed, ["batch"], lambda item: setattr(item, "batch", batch))
    return batch


def _check_issue_date(items: list[CardRequestItem], issued_on: datetime.date) -> None:
    """The date a batch's cards may bear: within a year from today (a later one is a slip, 2062 for 2026,
    and the batch could not be handed out until then), not before its members joined or their cards."""
    latest = timezone.localdate() + datetime.timedelta(days=DAYS_AHEAD)
    if issued_on > latest:
        raise ValidationError(
            {
                "issued_on": _("The cards cannot be dated later than %(date)s, a year from today.")
                % {"date": _d(latest)}
            }
        )
    early = _dated_too_early(items, issued_on)
    if early:
        raise ValidationError(
            {
                "issued_on": [
                    _(
                        "The cards cannot be dated before their members joined the union, nor before the "
                        "cards they replace."
                    ),
                    *early,
                ]
            }
        )


def _dated_too_early(items: list[CardRequestItem], issued_on: datetime.date) -> list[str]:
    """Why each card of ``items`` cannot bear ``issued_on``: its member joined later (the import's rule too),
    or holds a later card (a replacement dated before it would leave that card the last one held)."""
    held = current_cards([item.member for item in items])
    problems = []
    for item in items:
        member, card = item.member, held.get(item.member_id, (0, None))[1]
        names = {"member": member.full_name, "code": member.code}
        if member.joined_on and member.joined_on > issued_on:
            problems.append(
                _("%(member)s (%(code)s) joined the union on %(date)s.")
                % {**names, "date": _d(member.joined_on)}
            )
        elif card is not None and card.issued_on > issued_on:
            problems.append(
                _("%(member)s (%(code)s) holds a card issued on %(date)s.")
                % {**names, "date": _d(card.issued_on)}
            )
    return problems


def _update_logged(objects: list, fields: list[str], change: Callable[[object], None]) -> None:
    """Apply ``change`` to each of ``objects`` and write ``fields`` in bulk, every change logged."""
    if not objects:
        return
    befores = [obj.audit_snapshot() for obj in objects]
    for obj in objects:
        change(obj)
    type(objects[0]).objects.bulk_update(objects, fields, batch_size=500)
    log_many(action=ObjectChange.Action.UPDATE, objects=objects, befores=befores)


@transaction.atomic
def issue_batch(*, batch: CardPrintBatch, user) -> int:
    """The printed cards were handed out: each is recorded in its member's history (replacing the card
    the member held) and mirrored on the member. Returns how many cards were issued."""
    batch = _prepared_batch(batch, user)
    if batch.issued_on > timezone.localdate():
        raise ValidationError(
            {
                "issued_on": _("The cards bear the date %(date)s; hand them out from that day.")
                % {"date": _d(batch.issued_on)}
            }
        )
    items = _items_to_issue(batch)
    held = current_cards([item.member for item in items])
    cards = [
        MemberCard(
            member=item.member,
            number=card_number(item.member, held.get(item.member_id, (0, None))[0] + 1),
            card_type=item.card_type,
            issued_on=batch.issued_on,
            reason=item.reason,
            replaces=None if item.reason == CardReason.NEW else held.get(item.member_id, (0, None))[1],
            batch=batch,
        )
        for item in items
    ]
    MemberCard.objects.bulk_create(cards)
    log_many(action=ObjectChange.Action.CREATE, objects=cards)
    card_of = {item.pk: card for item, card in zip(items, cards, strict=True)}
    _update_logged(items, ["card"], lambda item: setattr(item, "card", card_of[item.pk]))
    type_of = {item.member_id: item.card_type for item in items}

    def mirror(member: Member) -> None:
        member.card_type, member.card_issued_on = type_of[member.pk], batch.issued_on

    _update_logged([item.member for item in items], ["card_type", "card_issued_on"], mirror)
    batch.state = CardPrintBatch.State.ISSUED
    batch.save()
    return len(cards)


def _prepared_batch(batch: CardPrintBatch, user) -> CardPrintBatch:
    """``batch`` locked, if ``user`` may change its unit and it is still being printed."""
    batch = CardPrintBatch.objects.select_for_update(of=("self",)).select_related("unit").get(pk=batch.pk)
    if not restrict(Unit.objects.filter(pk=batch.unit_id), user, Action.CHANGE).exists():
        raise PermissionDenied(
            _("Only a user who may change %(unit)s handles its print batches.") % {"unit": batch.unit}
        )
    if batch.state == CardPrintBatch.State.ISSUED:
        raise ValidationError(_("These cards were already handed out."))
    if batch.state == CardPrintBatch.State.CANCELLED:
        raise ValidationError(_("This print batch was cancelled."))
    return batch


def _items_to_issue(batch: CardPrintBatch) -> list[CardRequestItem]:
    # A member who left or moved since the batch was prepared is not handed the printed card.
    return [
        item
        for item in batch.items.filter(card__isnull=True).select_related("member", "request").order_by("pk")
        if _stands(item)
    ]


@transaction.atomic
def change_issue_date(*, batch: CardPrintBatch, user, issued_on: datetime.date) -> CardPrintBatch:
    """Correct the date of issue of a batch not yet handed out (a slip: 2062 for 2026), under the rules
    that held when it was prepared."""
    batch = _prepared_batch(batch, user)
    if issued_on == batch.issued_on:
        raise ValidationError({"issued_on": _("The batch already bears this date.")})
    _check_issue_date(_items_to_issue(batch), issued_on)
    batch.issued_on = issued_on
    batch.save()
    return batch


@transaction.atomic
def cancel_batch(*, batch: CardPrintBatch, user, reason: str) -> CardPrintBatch:
    """Call off a batch not yet handed out, saying why: its requests wait, approved, for another batch;
    the batch is kept, cancelled, with who cancelled it and when."""
    batch = _prepared_batch(batch, user)
    reason = _required(reason, _("Say why the batch is cancelled."))
    items = list(batch.items.order_by("pk"))
    _update_logged(items, ["batch"], lambda item: setattr(item, "batch", None))
    batch.released_requests = sorted({item.request_id for item in items})
    batch.take_back(state=CardPrintBatch.State.CANCELLED, user=user, reason=reason)
    return batch


def current_cards(members: Sequence[Member]) -> dict[int, tuple[int, MemberCard | None]]:
    """Per member: how many cards they were issued, and the one they hold now (the last, not replaced)."""
    held: dict[int, tuple[int, MemberCard | None]] = {}
    for card in MemberCard.objects.filter(member__in=members).order_by("member_id", "issued_on", "id"):
        count, _last = held.get(card.member_id, (0, None))
        held[card.member_id] = (count + 1, card)
    return held


# ------------------------------------------------------------------------------------------ selectors


def requests_for(user, action: str = Action.VIEW) -> QuerySet[CardRequest]:
    return restrict(
        CardRequest.objects.select_related("unit", "unit__parent", "requested_by", "decided_by").annotate(
            item_count=Count("items")
        ),
        user,
        action,
    )


def request_items(request: CardRequest) -> QuerySet[CardRequestItem]:
    """The members of ``request``, each marked with whether they still stand in its CĐCS (``stands``)."""
    return (
        request.items.select_related("member", "member__unit", "batch", "card")
        .annotate(stands=ExpressionWrapper(_still_standing(), output_field=BooleanField()))
        .order_by("member__sort_key", "member_id")
    )


def batches_for(user, action: str = Action.VIEW) -> QuerySet[CardPrintBatch]:
    return restrict(
        CardPrintBatch.objects.select_related("unit", "created_by").annotate(item_count=Count("items")),
        user,
        action,
    )


def printable_requests(user, unit: Unit) -> QuerySet[CardRequest]:
    """Approved requests of the CĐCS under ``unit`` whose cards are not in a batch yet."""
    return (
        requests_for(user)
        .filter(state=CardRequest.State.APPROVED, unit__path__under=unit.path)
        .exclude(unit=unit)
        .exclude(items__batch__isnull=False)
        .filter(Exists(CardRequestItem.objects.filter(_still_standing(), request=OuterRef("pk"))))
        .order_by("requested_at", "pk")
    )


def members_to_request(unit: Unit) -> QuerySet[Member]:
    """The members standing in ``unit``, each marked with whether a request for them is open."""
    return (
        Member.objects.filter(unit=unit, status__in=MEMBER_STATES)
        .annotate(requested=Exists(CardRequestItem.objects.filter(_open_item(), member=OuterRef("pk"))))
        .order_by("sort_key", "pk")
    )


def cards_of(member: Member) -> QuerySet[MemberCard]:
    return member.cards.select_related("replaces", "batch", "batch__unit").order_by("issued_on", "id")


def batch_items(batch: CardPrintBatch) -> QuerySet[CardRequestItem]:
    """The cards of ``batch``: those issued, and those to issue to members still standing in their CĐCS."""
    return (
        batch.items.filter(Q(card__isnull=False) | _still_standing())
        .select_related("member", "member__unit", "request__unit", "card")
        .order_by("request__unit__code", "member__sort_key", "member_id")
    )


# ------------------------------------------------------------------------------------------- coverage


def holding_card(since: datetime.date, on: datetime.date) -> Q:
    """Memberships whose member holds a card issued from ``since`` until ``on`` (the indicator catalogue's
    card-renewal indicator reads members through the same condition)."""
    new_card = Exists(
        MemberCard.objects.filter(member=OuterRef("member_id"), issued_on__gte=since, issued_on__lte=on)
    )
    # Cards issued before the history was kept (an imported list) are known by the member's own date.
    return Q(new_card) | Q(member__card_issued_on__gte=since, member__card_issued_on__lte=on)


def check_campaign(since: datetime.date, on: datetime.date) -> None:
    """A campaign read on ``on`` must have begun by then (the other way round, every unit reads 0 %)."""
    if since > on:
        raise ValidationError(
            {
                "since": _("The campaign begins on %(since)s, after the day shown (%(on)s).")
                % {"since": _d(since), "on": _d(on)}
            }
        )


def card_coverage(
    unit_ids: Sequence[int], on: datetime.date, since: datetime.date
) -> dict[int, tuple[int, int]]:
    """Per unit: (members of its subtree holding a card issued from ``since`` until ``on``, members of its
    subtree), both on ``on`` and in the tree as it stood then. An upper level's figures are the sums of its
    subtree's, never an average of its children's percents. A unit that did not exist on ``on`` gets (0, 0).

    One GROUP BY per call, by the unit members stand in; the sums up the tree are made from those rows.
    """
    result = {unit_id: (0, 0) for unit_id in unit_ids}
    links = tree_on(on, under=unit_ids)
    path_of = dict(links.order_by().values_list("unit_id", "path"))
    roots = {path_of[unit_id]: unit_id for unit_id in unit_ids if unit_id in path_of}
    if not roots:
        return result
    held = holding_card(since, on)
    rows = (
        Membership.objects.filter(valid_on(on), state__in=MEMBER_STATES, unit_id__in=links.values("unit_id"))
        .order_by()
        .values("unit_id")
        .annotate(members=Count("id"), with_card=Count("id", filter=held))
        .values_list("unit_id", "with_card", "members")
    )
    for unit_id, with_card, members in rows:
        path = path_of[unit_id]
        for prefix in path_prefixes(path):
            root = roots.get(prefix)
            if root is not None:
                cards, total = result[root]
                result[root] = (cards + with_card, total + members)
    return result


def coverage_percent(with_card: int, members: int) -> float | None:
    return None if not members else 100 * with_card / members
