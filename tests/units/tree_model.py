"""A plain-Python replay of the union tree, kept by the property tests beside the database.

It records only who stood under whom from which date, the names by date, endings and successors,
keyed by unit code (codes are never reused). Paths, the tree on a date and today's scope tree are
derived from that by brute force, so they check the stored links and paths rather than repeat them.

Each operation applies the rules the services promise (see ``congdoan.units.services``) and raises
``Refused`` when one fails; callers run it on a copy and keep the copy only if nothing was refused.
"""

import datetime
from dataclasses import dataclass, field

from congdoan.core.text import normalize
from congdoan.units.models import LEVEL_RANK, path_segment

DAY = datetime.timedelta(days=1)


class Refused(Exception):
    """The services must turn this operation down."""


@dataclass
class ModelUnit:
    code: str
    level: str
    founded: datetime.date
    # (from, parent code) for each change of parent; a second change on the same day replaces the first.
    parents: list[tuple[datetime.date, str | None]]
    # (from, name, short name), likewise.
    names: list[tuple[datetime.date, str, str]]
    dissolved: datetime.date | None = None
    successor: str | None = None  # the primary successor


def _set_from(history: list, on: datetime.date, entry: tuple) -> None:
    if history and history[-1][0] == on:
        history[-1] = entry
    else:
        history.append(entry)


@dataclass
class TreeModel:
    units: dict[str, ModelUnit] = field(default_factory=dict)

    # ------------------------------------------------------------------------------------ questions

    def active_on(self, code: str, on: datetime.date) -> bool:
        unit = self.units[code]
        return unit.founded <= on and (unit.dissolved is None or on < unit.dissolved)

    def is_active(self, code: str) -> bool:
        return self.units[code].dissolved is None

    @staticmethod
    def _at(history: list, on: datetime.date):
        found = None
        for entry in history:
            if entry[0] <= on:
                found = entry
        return found

    def parent_on(self, code: str, on: datetime.date) -> str | None:
        return self._at(self.units[code].parents, on)[1]

    def parent_now(self, code: str) -> str | None:
        return self.units[code].parents[-1][1]

    def name_on(self, code: str, on: datetime.date) -> tuple[str, str] | None:
        """The name borne on ``on``; an ended unit keeps its last one. None before the founding."""
        entry = self._at(self.units[code].names, on)
        return None if entry is None else entry[1:]

    def tree_on(self, on: datetime.date) -> dict[str, str | None]:
        """Every unit that existed on ``on``, with its parent then."""
        tree = {code: self.parent_on(code, on) for code in self.units if self.active_on(code, on)}
        for code, parent in tree.items():
            assert parent is None or parent in tree, f"model: {code} stood under {parent}, not active on {on}"
        return tree

    def path_on(self, code: str, on: datetime.date, pks: dict[str, int]) -> str:
        chain = []
        current = code
        while current is not None:
            chain.append(current)
            current = self.parent_on(current, on)
        return "".join(path_segment(pks[c]) for c in reversed(chain))

    def children_now(self, code: str) -> list[str]:
        return sorted(c for c in self.units if self.is_active(c) and self.parent_now(c) == code)

    def subtree_now(self, code: str) -> set[str]:
        found, todo = set(), [code]
        while todo:
            current = todo.pop()
            found.add(current)
            todo.extend(self.children_now(current))
        return found

    def ancestors_now(self, code: str) -> list[str]:
        chain, current = [], self.parent_now(code)
        while current is not None:
            chain.append(current)
            current = self.parent_now(current)
        return chain

    def path_changed_on(self, code: str) -> datetime.date:
        """When the unit's place last changed: its own latest move or founding, or an ancestor's since."""
        return max(self.units[c].parents[-1][0] for c in [code, *self.ancestors_now(code)])

    def is_under(self, code: str, ancestor: str, on: datetime.date) -> bool:
        """Whether ``code`` stood at or below ``ancestor`` on ``on``."""
        current = code if self.active_on(code, on) else None
        while current is not None and current != ancestor:
            current = self.parent_on(current, on)
        return current == ancestor

    def latest_change_below(self, code: str) -> datetime.date:
        """The latest change to the unit's place, or to any unit in its subtree just before or after it."""
        latest = self.path_changed_on(code)
        for other, unit in self.units.items():
            events = [unit.founded, *(start for start, _parent in unit.parents), unit.dissolved]
            for when in events:
                if (
                    when is not None
                    and when > latest
                    and other != code
                    and (self.is_under(other, code, when) or self.is_under(other, code, when - DAY))
                ):
                    latest = when
        return latest

    def scope_parent(self, code: str) -> str | None:
        """Today's tree: an active unit under its parent, an ended one under its successor or last parent."""
        unit = self.units[code]
        if unit.dissolved is not None and unit.successor is not None:
            return unit.successor
        return self.parent_now(code)

    def scope_path(self, code: str, pks: dict[str, int]) -> str:
        chain, current = [], code
        while current is not None:
            assert current not in chain, f"model: scope cycle through {current}"
            chain.append(current)
            current = self.scope_parent(current)
        return "".join(path_segment(pks[c]) for c in reversed(chain))

    def code_taken(self, code: str) -> bool:
        return code.lower() in {c.lower() for c in self.units}

    # ------------------------------------------------------------------------------------- rules

    def _require(self, condition: bool, why: str) -> None:
        if not condition:
            raise Refused(why)

    def _require_active(self, code: str, on: datetime.date) -> None:
        """Founded by ``on`` and not ended: an ending is a unit's last change, whatever date comes after."""
        unit = self.units[code]
        self._require(unit.founded <= on, f"{code} was founded after {on}")
        self._require(unit.dissolved is None, f"{code} has ended")

    def _require_above(self, parent: str | None, level: str) -> None:
        if parent is None:
            self._require(level == "national", "only a national unit stands alone")
        else:
            self._require(
                LEVEL_RANK[self.units[parent].level] < LEVEL_RANK[level], f"{parent} is not above {level}"
            )

    def _relink(self, code: str, new_parent: str, on: datetime.date) -> None:
        self._require_active(new_parent, on)
        self._require(new_parent not in self.subtree_now(code), "cycle")  # levels refuse it too
        self._require_above(new_parent, self.units[code].level)
        self._require(self.parent_now(code) != new_parent, "already there")
        self._require(on >= self.latest_change_below(code), "a unit below changed later")
        self._require(on >= self.path_changed_on(new_parent), "the new parent changed later")
        _set_from(self.units[code].parents, on, (on, new_parent))

    def _end(self, code: str, on: datetime.date, successor: str | None) -> None:
        self._require(on > self.path_changed_on(code), "ends no later than its last change")
        self._require(not self.children_now(code), "has active children")
        self._require(on >= self.latest_change_below(code), "a unit below changed later")
        unit = self.units[code]
        unit.dissolved, unit.successor = on, successor

    # -------------------------------------------------------------------------------- operations

    def found(self, *, code: str, level: str, name: str, parent: str | None, on: datetime.date) -> None:
        self._require(not self.code_taken(code), "code taken")
        self._require(normalize(name) != "", "blank name")
        self._require_above(parent, level)
        if parent is not None:
            self._require_active(parent, on)
            self._require(on >= self.path_changed_on(parent), "the parent changed later")
        self.units[code] = ModelUnit(
            code=code, level=level, founded=on, parents=[(on, parent)], names=[(on, normalize(name), "")]
        )

    def move(self, *, codes: list[str], new_parent: str, on: datetime.date) -> None:
        self._require(bool(codes), "nothing to move")
        for code in codes:
            self._require_active(code, on)
            self._relink(code, new_parent, on)

    def merge(
        self,
        *,
        sources: list[str],
        on: datetime.date,
        into: str | None = None,
        new: dict | None = None,
        new_parent: str | None = None,
    ) -> None:
        self._require(into not in sources, "into itself")
        self._require(len(sources) >= (1 if into else 2), "too few sources")
        if new is not None:
            self.found(**new, parent=new_parent, on=on)
            into = new["code"]
        self._require_active(into, on)
        for source in sources:
            self._require_active(source, on)
            self._require(self.units[source].level == self.units[into].level, "levels differ")
            self._require(into not in self.subtree_now(source), "into lies under a source")
            for child in self.children_now(source):
                self._relink(child, into, on)
            self._end(source, on, into)

    def split(self, *, source: str, parts: list[dict], on: datetime.date, end_source: bool) -> None:
        """``parts``: dicts of ``found`` arguments plus ``children``, a list of codes."""
        self._require(bool(parts), "no parts")
        self._require_active(source, on)
        assigned = [child for part in parts for child in part["children"]]
        self._require(len(assigned) == len(set(assigned)), "a child assigned twice")
        children = self.children_now(source)
        self._require(set(assigned) <= set(children), "not a child")
        if end_source:
            self._require(set(children) <= set(assigned), "a child left without a part")
        parent = self.parent_now(source)
        for part in parts:
            self.found(code=part["code"], level=part["level"], name=part["name"], parent=parent, on=on)
            for child in part["children"]:
                self._relink(child, part["code"], on)
        if end_source:
            self._end(source, on, parts[0]["code"])

    def rename(self, *, code: str, name: str, on: datetime.date) -> None:
        self._require_active(code, on)
        names = self.units[code].names
        self._require(on >= names[-1][0], "renamed later")
        name = normalize(name)
        self._require(name != "", "blank name")
        self._require((name, names[-1][2]) != names[-1][1:], "same name")
        _set_from(names, on, (on, name, names[-1][2]))

    def dissolve(
        self, *, code: str, on: datetime.date, successor: str | None, children_to: str | None
    ) -> None:
        self._require_active(code, on)
        if successor is not None:
            self._require(successor != code, "succeeds itself")
            self._require_active(successor, on)
        if children_to is not None:
            for child in self.children_now(code):
                self._relink(child, children_to, on)
        if successor is not None:
            self._require(successor not in self.subtree_now(code), "successor lies under the unit")
        self._end(code, on, successor)
