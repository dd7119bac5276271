"""Random reorganisations against a brute-force replay: the tree over time stays right and loses nothing.

A state machine founds, moves, merges, splits, renames and ends units on dates that mostly move
forward (often the same day twice), and now and then asks for what the services must refuse. The
replay in ``tree_model`` predicts which operations are refused; after every step the tests compare
the selectors' tree and names on every date seen so far with the replay, and check the stored
history and today's tree for gaps, overlaps and cycles. A refused operation must leave every row as
it was; an accepted one must log each row it wrote under its one request id.
"""

import copy
import datetime
import itertools
import uuid
from collections import Counter, defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from congdoan.accounts.models import User
from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.units import selectors, services
from congdoan.units.models import (
    LEVEL_RANK,
    PATH_STEP,
    Decision,
    Level,
    Reorganisation,
    ReorganisationUnit,
    Succession,
    Unit,
    UnitLink,
    UnitName,
    path_segment,
)
from tests.factories import unit_type
from tests.units.tree_model import Refused, TreeModel

START = datetime.date(2019, 1, 1)
DAY = datetime.timedelta(days=1)
LEVELS = list(Level.values)
NAMES = [
    "Công đoàn cơ sở Trường Tiểu học Lê Lợi",
    "Liên đoàn Lao động phường Vĩnh Thanh",
    "Công đoàn ngành Giáo dục",
    "  Công đoàn   Viên chức tỉnh ",  # stored trimmed, with single spaces
    "Nghiệp đoàn Nghề cá Rạch Giá",
    "Công đoàn Khu công nghiệp Thạnh Lộc",
    "Công đoàn cơ sở Công ty TNHH Thủy sản Kiên Cường",
    "   ",  # blank once trimmed: refused
]
# Before each operation "today" moves on by one of these (0: the same day again); the operation is then
# dated that many days back, mostly not at all, sometimes before changes already recorded.
DAYS_ON = [0, 0, 1, 30, 200]
DAYS_BACK = [0, 0, 0, 0, 0, 0, 0, 1, 30, 400]

MOSTLY = st.sampled_from([True, True, True, False])  # integers() would favour the ends

LOGGED_MODELS = [Unit, UnitLink, UnitName, Succession, Reorganisation, Decision]
ALL_MODELS = [*LOGGED_MODELS, ReorganisationUnit]


def depth_of(path: str) -> int:
    return len(path) // PATH_STEP - 1


def full_dump() -> dict:
    """Every row a reorganisation can write, field by field (the change log by id)."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in ALL_MODELS}
    rows["ObjectChange"] = list(ObjectChange.objects.order_by("pk").values_list("pk", flat=True))
    return rows


def snapshots(rows: dict) -> dict[tuple[type, int], dict]:
    """What the change log would record of each logged row in a ``full_dump``."""
    return {
        (model, row["id"]): model(**row).audit_snapshot()
        for model in LOGGED_MODELS
        for row in rows[model.__name__]
    }


class TreeMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # One example, one database state: everything it writes is rolled back in teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.model = TreeModel()
        self.pks: dict[str, int] = {}
        self.today = START
        self.dates: set[datetime.date] = set()
        # Dates compared since the last accepted operation: a refusal is shown to change no row,
        # so they need no second look until something is accepted.
        self.checked: set[datetime.date] = set()
        self.changed_from = START  # the earliest date of the operations accepted since the last check
        self.serial = 0
        self.types = {level: unit_type(level) for level in LEVELS}
        self.user = User.objects.create(username=f"root-{uuid.uuid4().hex[:8]}", is_superuser=True)
        self.decision = services.record_decision(number="01/QĐ-TLĐ", signed_on=START, signer="Nguyễn Văn An")
        self.rows = full_dump()  # as the last operation left them

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # ------------------------------------------------------------------------------------ helpers

    def unit(self, code: str | None) -> Unit | None:
        return None if code is None else Unit.objects.get(code=code)

    def new_code(self) -> str:
        self.serial += 1
        return f"C{self.serial:03d}"

    def active(self, level: str | None = None, exclude: tuple = ()) -> list[str]:
        return sorted(
            code
            for code, unit in self.model.units.items()
            if unit.dissolved is None and (level is None or unit.level == level) and code not in exclude
        )

    def pick(self, data, preferred: list[str], label: str) -> str:
        """Mostly (3 in 4) a unit the operation can take, else any unit at all (ended ones too)."""
        if preferred and data.draw(MOSTLY, label=f"{label}: one it can take?"):
            return data.draw(st.sampled_from(preferred), label=label)
        return data.draw(st.sampled_from(sorted(self.model.units)), label=label)

    def near_level(self, data, level: str, label: str) -> str:
        """Mostly ``level``, sometimes any level."""
        return data.draw(st.sampled_from([level, level, level, *LEVELS]), label=label)

    def level_above(self, level: str) -> str | None:
        rank = LEVEL_RANK[level]
        return LEVELS[rank - 1] if rank else None

    def when(self, data) -> datetime.date:
        """The date of the next operation: time moves on (or not: the same day twice), and now and then
        the operation is dated back, before changes already recorded."""
        self.today += DAY * data.draw(st.sampled_from(DAYS_ON), label="days on")
        on = self.today - DAY * data.draw(st.sampled_from(DAYS_BACK), label="days back")
        self.dates.add(on)
        return on

    def spec(self, code: str, level: str, name: str, children=()) -> services.NewUnit:
        return services.NewUnit(
            code=code, name=name, unit_type=self.types[level], children=[self.unit(c) for c in children]
        )

    def attempt(self, kind: str, on: datetime.date, apply_to_model, call_service) -> None:
        """Run one operation on a copy of the replay and through the services; they must agree."""
        trial = copy.deepcopy(self.model)
        try:
            apply_to_model(trial)
            refusal = None
        except Refused as why:
            refusal = str(why)
        before = self.rows
        request_id = uuid.uuid4()
        try:
            with change_context(user=self.user, request_id=request_id):
                call_service()
        except ValidationError as error:
            assert refusal is not None, f"{kind}: refused what the rules allow: {error.message_dict}"
            assert error.message_dict, "a refusal names the field it is about"
            assert full_dump() == before, f"{kind}: refused ({refusal}) yet changed rows"
            return
        assert refusal is None, f"{kind}: accepted what the rules refuse: {refusal}"
        self.model = trial
        self.checked.clear()
        self.changed_from = min(self.changed_from, on)
        for unit in Unit.objects.filter(code__in=set(trial.units) - set(self.pks)):
            self.pks[unit.code] = unit.pk
        self.rows = full_dump()
        self.check_change_log(before, self.rows, request_id)

    # -------------------------------------------------------------------------------------- rules

    @initialize()
    def found_a_small_tree(self):
        layout = [
            ("N", "national", None),
            ("P1", "province", "N"),
            ("P2", "province", "N"),
            ("U1", "upper", "P1"),
            ("U2", "upper", "P1"),
            ("U3", "upper", "P2"),
            ("G1", "grassroots", "U1"),
            ("G2", "grassroots", "U1"),
            ("G3", "grassroots", "U3"),
            ("S1", "subunit", "G1"),
        ]
        self.dates.add(START)
        for code, level, parent in layout:
            self.attempt(
                "found",
                START,
                lambda model, code=code, level=level, parent=parent: model.found(
                    code=code, level=level, name=f"Công đoàn {code}", parent=parent, on=START
                ),
                lambda code=code, level=level, parent=parent: services.found_unit(
                    spec=self.spec(code, level, f"Công đoàn {code}"),
                    parent=self.unit(parent),
                    founded_on=START,
                ),
            )
        self.today = START + DAY

    @rule(data=st.data())
    def found(self, data):
        level = data.draw(st.sampled_from(LEVELS[1:]) | st.just(LEVELS[0]), label="level")
        above = self.level_above(level)
        parent = None if above is None else self.pick(data, self.active(above), "parent")
        reuse = sorted(self.model.units)
        code = data.draw(st.just(self.new_code()) | st.sampled_from(reuse).map(str.lower), label="code")
        name = data.draw(st.sampled_from(NAMES), label="name")
        on = self.when(data)
        self.attempt(
            "found",
            on,
            lambda model: model.found(code=code, level=level, name=name, parent=parent, on=on),
            lambda: services.found_unit(
                spec=self.spec(code, level, name), parent=self.unit(parent), founded_on=on
            ),
        )

    @rule(data=st.data())
    def move(self, data):
        first = self.pick(data, self.active(exclude=self.active("national")), "unit")
        more = data.draw(st.lists(st.sampled_from(sorted(self.model.units)), max_size=1), label="more")
        codes = [first, *more]
        above = self.level_above(self.model.units[first].level)
        new_parent = self.pick(data, self.active(above) if above else [], "new parent")
        on = self.when(data)
        self.attempt(
            "move",
            on,
            lambda model: model.move(codes=codes, new_parent=new_parent, on=on),
            lambda: services.move_units(
                units=[self.unit(c) for c in codes],
                new_parent=self.unit(new_parent),
                effective_on=on,
                decision=self.decision,
            ),
        )

    @rule(data=st.data())
    def merge_into_existing(self, data):
        first = self.pick(data, self.active(), "source")
        level = self.model.units[first].level
        more = data.draw(st.lists(st.sampled_from(self.active(level) or [first]), max_size=1), label="more")
        sources = [first, *more]
        into = self.pick(data, self.active(level, exclude=(first,)), "into")
        on = self.when(data)
        self.attempt(
            "merge_into_existing",
            on,
            lambda model: model.merge(sources=sources, into=into, on=on),
            lambda: services.merge_units(
                sources=[self.unit(c) for c in sources],
                into=self.unit(into),
                effective_on=on,
                decision=self.decision,
            ),
        )

    @rule(data=st.data())
    def merge_into_new(self, data):
        first = self.pick(data, self.active(), "source")
        level = self.model.units[first].level
        second = self.pick(data, self.active(level, exclude=(first,)), "second source")
        new_level = self.near_level(data, level, "new level")
        above = self.level_above(new_level)
        new_parent = None if above is None else self.pick(data, self.active(above), "new parent")
        new = dict(
            code=self.new_code(), level=new_level, name=data.draw(st.sampled_from(NAMES), label="name")
        )
        on = self.when(data)
        self.attempt(
            "merge_into_new",
            on,
            lambda model: model.merge(sources=[first, second], new=new, new_parent=new_parent, on=on),
            lambda: services.merge_units(
                sources=[self.unit(first), self.unit(second)],
                new_unit=self.spec(**new),
                new_parent=self.unit(new_parent),
                effective_on=on,
                decision=self.decision,
            ),
        )

    @rule(data=st.data())
    def split(self, data):
        source = self.pick(data, self.active(exclude=self.active("national")), "source")
        level = self.model.units[source].level
        count = data.draw(st.integers(1, 2), label="parts")
        parts = [
            dict(
                code=self.new_code(),
                name=data.draw(st.sampled_from(NAMES), label="name"),
                level=self.near_level(data, level, "part level"),
                children=[],
            )
            for _ in range(count)
        ]
        for child in self.model.children_now(source):
            share = data.draw(
                st.integers(-1, count - 1), label=f"part of {child}"
            )  # -1: stays with the source
            if share >= 0:
                parts[share]["children"].append(child)
        if not data.draw(MOSTLY, label="shares all right?"):
            parts[-1]["children"].append(self.pick(data, [], "child given twice or not a child"))
        end_source = data.draw(st.booleans(), label="end source")
        on = self.when(data)
        self.attempt(
            "split",
            on,
            lambda model: model.split(source=source, parts=parts, on=on, end_source=end_source),
            lambda: services.split_unit(
                source=self.unit(source),
                parts=[self.spec(**part) for part in parts],
                effective_on=on,
                decision=self.decision,
                end_source=end_source,
            ),
        )

    @rule(data=st.data())
    def rename(self, data):
        code = self.pick(data, self.active(), "unit")
        name = data.draw(st.sampled_from(NAMES), label="name")
        on = self.when(data)
        self.attempt(
            "rename",
            on,
            lambda model: model.rename(code=code, name=name, on=on),
            lambda: services.rename_unit(
                unit=self.unit(code), name=name, effective_on=on, decision=self.decision
            ),
        )

    @rule(data=st.data())
    def dissolve(self, data):
        code = self.pick(data, self.active(), "unit")
        level = self.model.units[code].level
        successor = data.draw(
            st.none() | st.just(self.pick(data, self.active(level, exclude=(code,)), "successor")),
            label="successor?",
        )
        has_children = bool(self.model.children_now(code))
        children_to = (
            self.pick(data, self.active(level, exclude=(code,)), "children to")
            if has_children and data.draw(MOSTLY, label="children to?")
            else None
        )
        on = self.when(data)
        self.attempt(
            "dissolve",
            on,
            lambda model: model.dissolve(code=code, on=on, successor=successor, children_to=children_to),
            lambda: services.dissolve_unit(
                unit=self.unit(code),
                effective_on=on,
                decision=self.decision,
                successor=self.unit(successor),
                children_to=self.unit(children_to),
            ),
        )

    # --------------------------------------------------------------------------------- invariants

    def check_change_log(self, before_rows: dict, after_rows: dict, request_id: uuid.UUID) -> None:
        """Each row the operation created or changed has a change row under its request id, and no other."""
        last_id = before_rows["ObjectChange"][-1]
        rows = list(ObjectChange.objects.filter(pk__gt=last_id).select_related("content_type").order_by("pk"))
        assert {row.request_id for row in rows} <= {request_id}, "one request id per operation"
        by_object = defaultdict(list)
        for row in rows:
            by_object[(row.content_type.model_class(), row.object_id)].append(row)
            if row.action == ObjectChange.Action.UPDATE:
                assert row.before != row.after, f"a change row that changes nothing: {row}"
        before = snapshots(before_rows)
        for key, snapshot in snapshots(after_rows).items():
            if before.get(key) == snapshot:
                continue
            logged = by_object.get(key)
            assert logged, f"{key[0].__name__} {key[1]} changed without a change row"
            assert logged[-1].after == snapshot, (
                f"{key[0].__name__} {key[1]}: the last change row is not its state"
            )
            if key not in before:
                assert logged[0].action == ObjectChange.Action.CREATE

    @invariant()
    def history_is_whole(self):
        """(b) Every unit founded is still there, its links and names run gap-free from its founding."""
        units = {unit.pk: unit for unit in Unit.objects.select_related("unit_type")}
        assert set(units) == set(self.pks.values())
        code_of = {pk: code for code, pk in self.pks.items()}
        links, names = defaultdict(list), defaultdict(list)
        for link in UnitLink.objects.order_by("unit_id", "valid_from"):
            links[link.unit_id].append(link)
        for name in UnitName.objects.order_by("unit_id", "valid_from"):
            names[name.unit_id].append(name)
        for pk, unit in units.items():
            expected = self.model.units[code_of[pk]]
            assert (unit.founded_on, unit.dissolved_on) == (expected.founded, expected.dissolved)
            for rows, last_to in ((links[pk], unit.dissolved_on), (names[pk], None)):
                assert rows[0].valid_from == unit.founded_on
                assert all(a.valid_to == b.valid_from for a, b in itertools.pairwise(rows)), "gap or overlap"
                assert rows[-1].valid_to == last_to
            assert (names[pk][-1].name, names[pk][-1].short_name) == (unit.name, unit.short_name)
            for link in links[pk]:
                assert link.path.endswith(path_segment(pk)) and link.depth == depth_of(link.path)
                if link.parent_id is not None:
                    assert LEVEL_RANK[units[link.parent_id].level] < LEVEL_RANK[unit.level], "levels go down"

    @invariant()
    def todays_tree_is_a_tree(self):
        """(c) Unit.path: active units by their open link, ended ones under successor or last parent."""
        units = {unit.pk: unit for unit in Unit.objects.select_related("unit_type")}
        open_links = {link.unit_id: link for link in UnitLink.objects.filter(valid_to__isnull=True)}
        primary = dict(Succession.objects.filter(primary=True).values_list("predecessor_id", "successor_id"))
        for code, pk in self.pks.items():
            unit = units[pk]
            parent_code = self.model.scope_parent(code)
            assert unit.parent_id == self.pks.get(parent_code)
            assert unit.path == self.model.scope_path(code, self.pks)
            parent_path = units[unit.parent_id].path if unit.parent_id else ""
            assert unit.path == parent_path + path_segment(pk) and unit.depth == depth_of(unit.path)
            assert not parent_path.startswith(unit.path), "a unit under its own subtree"
            if unit.dissolved_on is None:
                assert unit.path == open_links[pk].path and unit.parent_id == open_links[pk].parent_id
                assert pk not in primary
            else:
                assert pk not in open_links
                assert primary.get(pk) == self.pks.get(self.model.units[code].successor)

    @invariant()
    def every_date_matches_the_replay(self):
        """(a) The selectors' tree and names on every date seen, and the day before, equal the replay."""
        code_of = {pk: code for code, pk in self.pks.items()}
        every_date = self.dates | {d - DAY for d in self.dates}
        for on in sorted(every_date - self.checked):
            tree = self.model.tree_on(on)
            expected = {
                self.pks[c]: (self.pks.get(p), self.model.path_on(c, on, self.pks)) for c, p in tree.items()
            }
            links = list(selectors.links_on(user=self.user, on=on))
            got = {link.unit_id: (link.parent_id, link.path) for link in links}
            assert len(got) == len(links), f"two links for one unit on {on}"
            assert got == expected, f"tree on {on}"
            assert all(link.depth == depth_of(link.path) for link in links)

            names = selectors.names_on(unit_ids=self.pks.values(), on=on)
            assert {pk: (n.name, n.short_name) for pk, n in names.items()} == {
                self.pks[c]: self.model.name_on(c, on) for c in self.pks if self.model.name_on(c, on)
            }, f"names on {on}"

            if on < self.changed_from - DAY:
                continue
            # The other readers of the links, on the dates from the last accepted change on (where the
            # tree moved; the dates before it are still held to links_on and names_on above).
            roots = [link.unit_id for link in selectors.children_on(user=self.user, parent=None, on=on)]
            assert roots == sorted((self.pks[c] for c, p in tree.items() if p is None), key=code_of.get)
            counts = Counter(self.pks[p] for p in tree.values() if p is not None)
            assert selectors.count_children_on(unit_ids=list(self.pks.values()), on=on) == counts
            if tree:
                # One subtree per date, a different one as dates go by.
                top = sorted(tree)[on.toordinal() % len(tree)]
                below = {
                    c
                    for c in tree
                    if self.model.path_on(c, on, self.pks).startswith(self.model.path_on(top, on, self.pks))
                }
                got_below = {
                    link.unit_id for link in selectors.links_on(user=self.user, on=on, under=self.unit(top))
                }
                assert got_below == {self.pks[c] for c in below}, f"subtree of {top} on {on}"
                by_level = Counter(self.model.units[c].level for c in below - {top})
                assert selectors.subtree_counts(self.unit(top), on) == by_level
        self.checked = every_date
        self.changed_from = max(every_date)


def run_machine(**profile) -> None:
    run_state_machine_as_test(
        TreeMachine,
        settings=settings(
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            **profile,
        ),
    )


@pytest.mark.django_db
def test_tree_over_time_matches_a_replay():
    run_machine(max_examples=25, stateful_step_count=25)


@pytest.mark.slow
@pytest.mark.django_db
def test_tree_over_time_matches_a_replay_at_length():
    run_machine(max_examples=50, stateful_step_count=40)
