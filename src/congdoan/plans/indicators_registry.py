"""The indicators a target may follow, by code.

The catalogue itself (definitions, sources, filters, the engine) belongs to the indicators app, which
registers each of its indicators here when it starts. Until it does, the registry is empty and every
target is entered by hand ("nhập tay"): a target names an indicator only if the indicator is known here,
and only if the indicator gives what the target counts (a number for a count target, a ratio for a
percent target).
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    kind: str  # a TargetKind value: "count" or "percent"
    name: str  # Vietnamese name shown to users


_catalogue: dict[str, IndicatorInfo] = {}


def register(info: IndicatorInfo) -> None:
    known = _catalogue.get(info.code)
    if known is not None and known != info:
        raise ImproperlyConfigured(f"Indicator {info.code!r} registered twice, with different definitions.")
    _catalogue[info.code] = info


def lookup(code: str) -> IndicatorInfo | None:
    return _catalogue.get(code)


def known() -> list[IndicatorInfo]:
    """Every registered indicator, for the lists a target's indicator is chosen from."""
    return sorted(_catalogue.values(), key=lambda info: (info.kind, info.name))
