"""Where the indicators learn that the records changed.

Member facts: a member event saved or deleted (its unit, and the other unit of a transfer, from its
date on); a membership interval deleted, which every replay of a member's events does (its unit, from
its start); a member's own data saved (every unit they belonged to, at any date); a member card issued
(every unit they belonged to, from the day it was issued); and the same facts
written in bulk, which reach us through ``audit.services.bulk_logged``. Employers: their union, at any
date; a dated workforce figure: the employer's union, from its day on. Units: a change of type or sector,
at any date. Reorganisations: the tree moved, so the windows it touches are marked stale
(``engine.mark_stale``).
"""

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from congdoan.audit.models import ObjectChange
from congdoan.audit.services import bulk_logged
from congdoan.indicators import engine
from congdoan.indicators.catalogue import EMPLOYERS, MEMBERS, TREE
from congdoan.members.models import Member, MemberCard, MemberEvent, Membership
from congdoan.units.models import Employer, EmployerWorkforce, Reorganisation, Unit

# What the catalogue reads of each row, besides the facts themselves: a save that changes none of it
# changes no indicator (a phone number corrected, a unit's address).
FACTS_READ = {
    Member: ("gender", "card_issued_on"),
    Unit: ("unit_type_id", "sector"),
    Employer: ("unit_id", "workforce"),
}
MIRRORS = {"unit", "status"}  # what the member services copy from the latest membership interval


def _earliest(pairs: Iterable[tuple[int | None, object]]) -> dict:
    changes: dict = {}
    for unit_id, since in pairs:
        if unit_id is not None:
            changes[unit_id] = since if unit_id not in changes else min(changes[unit_id], since)
    return changes


def _events_changed(events: Iterable[MemberEvent]) -> None:
    engine.note_changes(
        changes=_earliest(
            (unit_id, event.on) for event in events for unit_id in (event.unit_id, event.other_unit_id)
        ),
        reads=MEMBERS,
    )


def _members_changed(member_ids: list[int], since=None) -> None:
    """A member's own data (gender, cards…) counts wherever and whenever they were a member."""
    units = Membership.objects.filter(member__in=member_ids).values_list("unit_id", flat=True).distinct()
    engine.note_changes(changes=dict.fromkeys(units, since), reads=MEMBERS)


def _cards_changed(cards: list[MemberCard]) -> None:
    _members_changed([card.member_id for card in cards], since=min(card.issued_on for card in cards))


@receiver(post_save, sender=MemberEvent)
@receiver(post_delete, sender=MemberEvent)
def _member_event_written(sender, instance: MemberEvent, **kwargs) -> None:
    _events_changed([instance])


@receiver(post_save, sender=MemberCard)
@receiver(post_delete, sender=MemberCard)
def _card_written(sender, instance: MemberCard, **kwargs) -> None:
    _cards_changed([instance])


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender, instance: Membership, **kwargs) -> None:
    engine.note_changes(changes={instance.unit_id: instance.valid_from}, reads=MEMBERS)


def _facts_before(instance) -> tuple | None:
    return getattr(instance, "_indicator_facts_before", None)


def _facts_changed(instance) -> bool:
    before = _facts_before(instance)
    return before is None or before != tuple(getattr(instance, f) for f in FACTS_READ[type(instance)])


@receiver(post_save, sender=Member)
def _member_saved(sender, instance: Member, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and set(update_fields) <= MIRRORS):
        return
    if _facts_changed(instance):
        _members_changed([instance.pk])


@receiver(bulk_logged)
def _bulk_written(sender, action: str, objects: list, **kwargs) -> None:
    events = [obj for obj in objects if isinstance(obj, MemberEvent)]
    if events:
        _events_changed(events)
    cards = [obj for obj in objects if isinstance(obj, MemberCard)]
    if cards:
        _cards_changed(cards)
    members = [obj.pk for obj in objects if isinstance(obj, Member)]
    if members and action == ObjectChange.Action.UPDATE:
        _members_changed(members)
    employers = [obj.unit_id for obj in objects if isinstance(obj, Employer)]
    if employers:
        engine.note_changes(changes=dict.fromkeys(employers), reads=EMPLOYERS)
    figures = [obj for obj in objects if isinstance(obj, EmployerWorkforce)]
    if figures:  # as _workforce_figure_written: the employer's union, from the figure's day on
        engine.note_changes(changes=_earliest((f.employer.unit_id, f.on) for f in figures), reads=EMPLOYERS)


@receiver(pre_save, sender=Member)
@receiver(pre_save, sender=Employer)
@receiver(pre_save, sender=Unit)
def _remember_before(sender, instance, update_fields=None, **kwargs) -> None:
    """What the row held of ``FACTS_READ`` before this save, for the receivers of the saves."""
    saved_rows = update_fields is None or not set(update_fields) <= MIRRORS
    if instance.pk and saved_rows:
        instance._indicator_facts_before = (
            sender.objects.filter(pk=instance.pk).values_list(*FACTS_READ[sender]).first()
        )


@receiver(post_save, sender=Employer)
@receiver(post_delete, sender=Employer)
def _employer_written(sender, instance: Employer, **kwargs) -> None:
    before = _facts_before(instance)
    if _facts_changed(instance) or kwargs.get("signal") is post_delete:
        units = {instance.unit_id, before[0] if before else instance.unit_id}
        engine.note_changes(changes=dict.fromkeys(units), reads=EMPLOYERS)


@receiver(post_save, sender=EmployerWorkforce)
@receiver(post_delete, sender=EmployerWorkforce)
def _workforce_figure_written(sender, instance: EmployerWorkforce, **kwargs) -> None:
    unit_id = Employer.objects.filter(pk=instance.employer_id).values_list("unit_id", flat=True).first()
    if unit_id is not None:  # else the employer is gone, which its own receiver notes
        engine.note_changes(changes={unit_id: instance.on}, reads=EMPLOYERS)


@receiver(post_save, sender=Unit)
def _unit_saved(sender, instance: Unit, created: bool, **kwargs) -> None:
    if not created and _facts_changed(instance):
        engine.note_changes(changes={instance.pk: None}, reads=TREE)


@receiver(post_save, sender=Reorganisation)
def _tree_changed(sender, instance: Reorganisation, created: bool, **kwargs) -> None:
    if created:
        engine.mark_stale(since=instance.effective_on)
