"""Reading programmes, always through the user's scope (a programme belongs to the unit it is filed under)."""

from django.db.models import Count, Prefetch, QuerySet

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for, restrict
from congdoan.plans.models import Programme, Target


def _programmes() -> QuerySet[Programme]:
    return (
        Programme.objects.select_related("unit", "issuer_unit")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("position")))
        .annotate(task_count=Count("tasks", distinct=True), deadline_count=Count("deadlines", distinct=True))
    )


def programmes_for(user, action: str = Action.VIEW) -> QuerySet[Programme]:
    return restrict(_programmes(), user, action)


def all_programmes() -> QuerySet[Programme]:
    """Every programme, for the system itself (commands run without a user)."""
    return _programmes()


def programme_for(user, ref: str, action: str = Action.VIEW) -> Programme:
    return get_for(_programmes(), user, action, ref=ref)


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
