"""Reading programmes, always through the user's scope (a programme belongs to the unit it is filed under)."""

from django.db.models import Count, Prefetch, QuerySet

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for, restrict
from congdoan.plans.models import Basis, Programme, Recipient, Responsibility, Target, Task
from congdoan.units.models import Unit


def programme_queryset(*, with_parts: bool = False) -> QuerySet[Programme]:
    """Programmes with their targets (and, ``with_parts``, everything else), before scope: restrict it."""
    programmes = (
        Programme.objects.select_related("unit", "issuer_unit")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("position")))
        .annotate(task_count=Count("tasks", distinct=True), deadline_count=Count("deadlines", distinct=True))
    )
    if not with_parts:
        return programmes
    responsibilities = Responsibility.objects.select_related("unit")
    return programmes.select_related("parent").prefetch_related(
        Prefetch("bases", queryset=Basis.objects.select_related("document")),
        Prefetch(
            "tasks", queryset=Task.objects.prefetch_related(Prefetch("responsibilities", responsibilities))
        ),
        Prefetch("responsibilities", responsibilities.filter(task=None), to_attr="general_responsibilities"),
        "deadlines",
        Prefetch("recipients", queryset=Recipient.objects.select_related("unit")),
    )


def programmes_for(user, action: str = Action.VIEW) -> QuerySet[Programme]:
    return restrict(programme_queryset(), user, action)


def programme_for(user, ref: str, action: str = Action.VIEW) -> Programme:
    """One programme with all its parts (404 outside the user's scope)."""
    return get_for(programme_queryset(with_parts=True), user, action, ref=ref)


def visible_programme_ids(user, ids) -> set[int]:
    """Which of the programmes ``ids`` (a parent, a cited document) the user may see."""
    return set(
        restrict(Programme.objects.filter(pk__in=[i for i in ids if i]), user).values_list("pk", flat=True)
    )


def visible_unit_ids(user, ids) -> set[int]:
    return set(restrict(Unit.objects.filter(pk__in=[i for i in ids if i]), user).values_list("pk", flat=True))


def target_summary(target: Target) -> dict:
    own = target.own_period
    return {
        "ref": target.ref,
        "text": target.text,
        "value": target.whole_value if isinstance(target.whole_value, int) else float(target.whole_value),
        "kind": target.kind,
        "comparator": target.comparator,
        "subject": target.subject,
        "denominator": target.denominator,
        "filter": target.filter_text,
        "period": str(own.within(target.programme.period)) if own else None,
        "indicator": target.indicator or None,
        "manual": target.manual,
    }


def programme_summary(programme: Programme) -> dict:
    """A programme (as the selectors above return it) for the command line and exports.

    ``year`` is set for one-year programmes only; ``tasks`` and ``deadlines`` are counts.
    """
    period = programme.period
    return {
        "ref": programme.ref,
        "kind": programme.kind,
        "kind_label": str(programme.get_kind_display()),
        "number": programme.number or None,
        "title": programme.title,
        "issuer": programme.issuer_name,
        "issuer_unit": programme.issuer_unit.code if programme.issuer_unit else None,
        "unit": programme.unit.code if programme.unit else None,
        "place": programme.place,
        "date": programme.issued_on.isoformat(),
        "year": period.year,
        "period": str(period),
        "themes": programme.themes,
        "targets": [target_summary(target) for target in programme.targets.all()],
        "tasks": programme.task_count,
        "deadlines": programme.deadline_count,
    }
