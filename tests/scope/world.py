"""Two subtrees for the scope walk: Kiên Giang, where the requester works, and Điện Biên, out of its reach.

Each subtree holds one object of every scoped model, made by ``MAKERS``. A new scoped model needs a maker
here: ``test_every_scoped_model_has_a_foreign_object`` fails until it has one, so no model's routes go
untried.

Primary keys are made disjoint across models (``disjoint_ids``): every table counts from its own
million, so the id of a foreign object names no row of any other model, and a route that answers
anything but 403/404 for it has served a foreign object, whatever model it reads.
"""

import dataclasses
import datetime
import functools
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.apps import apps
from django.db import connection, models

from congdoan.accounts.models import Role, User
from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_personal_data_access
from congdoan.members import cards, duplicate_scans
from congdoan.members import services as members
from congdoan.members.models import CardReason, DuplicateScan, Gender, Member
from congdoan.plans import allocation, reported
from congdoan.plans import models as plans
from congdoan.plans.periods import PeriodKind
from congdoan.units import services
from congdoan.units.models import Employer, Unit
from tests.factories import decision, found
from tests.mixins import make_user

# Text every foreign object carries somewhere a page or answer would show it.
FOREIGN_MARKERS = ("Điện Biên", "\\u0110i\\u1ec7n Bi\\u00ean", "dien-bien", "DB-MN")
ON = datetime.date(2024, 3, 1)


def disjoint_ids() -> None:
    """Start the id sequence of every table with an integer key at its own million."""
    step = 1_000_000
    tables = sorted({m._meta.db_table for m in apps.get_models() if isinstance(m._meta.pk, models.AutoField)})
    with connection.cursor() as cursor:
        for index, table in enumerate(tables, start=1):
            start = index * step
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, start])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start])


# ------------------------------------------------------------------------------------------- makers
# Each takes a grassroots union and a label ("Điện Biên" or "Kiên Giang") and leaves one object of its
# models under that union, with the label in the text people see.


def make_employer(unit: Unit, label: str) -> None:
    employer = Employer.objects.create(
        unit=unit, name=f"Công ty Cao su {label}", workforce=300, female_workforce=120
    )
    services.record_workforce(employer=employer, on=ON, workforce=280, female_workforce=110)


def make_decision_and_reorganisation(unit: Unit, label: str) -> None:
    services.rename_unit(
        unit=unit,
        name=f"{unit.name} ({label}, tên mới)",
        effective_on=ON,
        decision=services.record_decision(
            number=f"15/QĐ-LĐLĐ {label}",
            signed_on=ON,
            signer="Lò Văn Pình",
            issuer=unit.parent,
            summary=f"Đổi tên công đoàn cơ sở ở {label}",
        ),
    )


def make_user_of(unit: Unit, label: str) -> None:
    make_user(f"{label_slug(label)}-chair", unit, Role.CHAIR, last_name=label)


def make_member(unit: Unit, label: str) -> None:
    """A member, admitted, whose full record someone has opened (a personal-data access)."""
    member = Member(
        full_name=f"Quàng Thị {label}",
        gender=Gender.FEMALE,
        birth_year=1990,
        joined_on=datetime.date(2019, 5, 1),
    )
    members.admit_member(member=member, unit=unit, on=datetime.date(2019, 5, 1))
    log_personal_data_access(action="view", obj=member, unit_id=unit.pk, reason=f"Xác minh hồ sơ ở {label}")


def make_card_history(unit: Unit, label: str) -> None:
    """A card requested by the CĐCS, approved, printed and handed out by its upper level, and a replacement
    requested after it, still waiting."""
    member = Member(
        full_name=f"Lường Văn {label}",
        gender=Gender.MALE,
        birth_year=1988,
        joined_on=datetime.date(2019, 5, 1),
    )
    members.admit_member(member=member, unit=unit, on=datetime.date(2019, 5, 1))
    chair = make_user(f"{label_slug(label)}-card-chair", unit, Role.CHAIR)
    upper = make_user(f"{label_slug(label)}-card-officer", unit.parent, Role.OFFICER)
    request = cards.request_cards(
        user=chair, unit=unit, wishes=[cards.CardWish(member, CardReason.NEW)], note=f"Thẻ cho {label}"
    )
    cards.approve_request(request=request, user=upper)
    batch = cards.create_print_batch(user=upper, unit=unit.parent, requests=[request], issued_on=ON)
    cards.issue_batch(batch=batch, user=upper)
    cards.request_cards(user=chair, unit=unit, wishes=[cards.CardWish(member, CardReason.LOST)])


def make_programme(unit: Unit, label: str) -> None:
    programme = plans.Programme.objects.create(
        ref=f"{unit.code}-CT-2024",
        kind=plans.DocumentKind.WORK_PROGRAMME,
        number=f"01/CTr-{unit.code}",
        title=f"Chương trình công tác năm 2024 của {label}",
        issuer_name=f"Công đoàn {label}",
        unit=unit,
        issued_on=datetime.date(2024, 1, 5),
        period_kind=PeriodKind.YEAR,
        period_start=2024,
        period_end=2024,
    )
    parts = dict(programme=programme, position=1)
    plans.Basis.objects.create(**parts, text=f"Nghị quyết Đại hội Công đoàn {label}")
    plans.Target.objects.create(
        **parts,
        text=f"Kết nạp đoàn viên ở {label}",
        value=Decimal(50),
        kind=plans.TargetKind.COUNT,
        manual=True,
    )
    task = plans.Task.objects.create(**parts, title=f"Phát triển đoàn viên ở {label}")
    plans.Responsibility.objects.create(**parts, task=task, who=f"Ban Tổ chức {label}", unit=unit)
    plans.SubmissionDeadline.objects.create(
        **parts,
        what=f"Báo cáo sơ kết {label}",
        submitters=label,
        receiver=f"Liên đoàn Lao động {label}",
        due_before=datetime.date(2024, 6, 15),
    )
    plans.Recipient.objects.create(**parts, text=f"Các công đoàn cơ sở {label}", unit=unit)


def make_allocation_and_figure(unit: Unit, label: str) -> None:
    """A target of the unit above, split with a share for the unit, and a figure the unit entered for it."""
    programme = plans.Programme.objects.create(
        ref=f"{unit.parent.code}-KH-2024",
        kind=plans.DocumentKind.PLAN,
        issuer_name=f"Liên đoàn Lao động {label}",
        unit=unit.parent,
        issued_on=datetime.date(2024, 1, 5),
        period_kind=PeriodKind.YEAR,
        period_start=2024,
    )
    target = plans.Target.objects.create(
        programme=programme,
        position=1,
        text=f"Thành lập công đoàn cơ sở ở {label}",
        value=Decimal(12),
        kind=plans.TargetKind.COUNT,
        manual=True,
    )
    allocation.allocate(
        user=None,
        target=target,
        method=plans.AllocationMethod.MANUAL,
        values={unit.code: Decimal(12)},
        note=f"Giao cho {label}",
    )
    reported.enter_figure(user=None, target=target, unit=unit, stands_on=ON, numerator=Decimal(3), note=label)


def make_member_import(unit: Unit, label: str) -> None:
    batch = apps.get_model("members", "ImportBatch").objects.create(
        unit=unit, file_name=f"Đoàn viên {label}.xlsx"
    )
    apps.get_model("members", "ImportRow").objects.create(
        batch=batch,
        row_number=2,
        unit=unit,
        data={"full_name": f"Lò Thị {label}"},
        values=[f"Lò Thị {label}"],
    )


def make_job(unit: Unit, label: str) -> None:
    apps.get_model("core", "Job").objects.create(
        kind="congdoan.members.exports.export_members",
        unit=unit,
        params={"title": f"Xuất danh sách {label}"},
        request_id=uuid.uuid4(),
    )


def make_duplicate_scan(unit: Unit, label: str) -> None:
    """Two records of one person in the union, found by a background comparison of the union."""
    for serial in (1, 2):
        member = Member(
            full_name=f"Giàng A {label}",
            gender=Gender.MALE,
            birth_year=1985,
            phone=f"0214{serial:06d}",
            joined_on=datetime.date(2020, 1, 1),
        )
        members.admit_member(member=member, unit=unit, on=datetime.date(2020, 1, 1))
    scan = duplicate_scans.run_scan(DuplicateScan.objects.create(unit=unit))
    assert scan.pair_count == 1


MAKERS: list[Callable[[Unit, str], None]] = [
    make_employer,
    make_decision_and_reorganisation,
    make_user_of,
    make_member,
    make_card_history,
    make_programme,
    make_allocation_and_figure,
    make_member_import,
    make_job,
    make_duplicate_scan,
]


def label_slug(label: str) -> str:
    return {"Điện Biên": "dien-bien", "Kiên Giang": "kien-giang"}[label]


# --------------------------------------------------------------------------------------------- world


@dataclasses.dataclass
class ScopeWorld:
    requester: User  # an administrator of Kiên Giang: every action, so only the scope stands in the way
    own_unit: Unit  # KG-RG-01
    foreign_root: Unit  # Điện Biên
    foreign_unit: Unit  # DB-MN-01

    def foreign_rows(self) -> dict[type, models.QuerySet]:
        """Every row, of every model that belongs to a unit, lying in the Điện Biên subtree."""
        return rows_under(self.foreign_root)

    def foreign_samples(self) -> list[models.Model]:
        """One foreign object of each model (ids are disjoint, so one is enough to try a route), and
        every foreign unit: province, district and grassroots pages differ."""
        return [
            obj
            for model, rows in self.foreign_rows().items()
            for obj in rows.order_by("pk")[: None if model is Unit else 1]
        ]

    @functools.cached_property
    def _state_query(self) -> tuple[list[str], str, list]:
        """One statement counting the foreign rows of every model (it runs around every write tried)."""
        labels, counts, params = [], [], []
        for model, rows in self.foreign_rows().items():
            sql, row_params = rows.values("pk").query.sql_with_params()
            labels.append(model._meta.label)
            counts.append(f"(SELECT COUNT(*) FROM ({sql}) AS rows_{len(counts)})")
            params.extend(row_params)
        return labels, "SELECT " + ", ".join(counts), params

    def foreign_state(self) -> dict[str, int]:
        """What a scope failure would change: the number of rows of each model in the foreign subtree."""
        labels, sql, params = self._state_query
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(zip(labels, cursor.fetchone(), strict=True))


def unit_path_field(model) -> str | None:
    """How ``model`` reaches the tree: its declared scope path, or a plain foreign key named "unit"."""
    declared = getattr(model, "scope_path_field", None)
    if declared:
        return declared
    unit_fk = next(
        (f for f in model._meta.concrete_fields if f.name == "unit" and f.related_model is Unit), None
    )
    return "unit__path" if unit_fk else None


def rows_under(root: Unit) -> dict[type, models.QuerySet]:
    # A model whose migration is not written yet has no table; CI's `makemigrations --check` reports it.
    tables = set(connection.introspection.table_names())
    found_rows = {}
    for model in apps.get_models():
        field = unit_path_field(model)
        if field and model._meta.app_label in CONGDOAN_APPS and model._meta.db_table in tables:
            found_rows[model] = model._default_manager.filter(**{f"{field}__under": root.path})
    return found_rows


CONGDOAN_APPS = {config.label for config in apps.get_app_configs() if config.name.startswith("congdoan.")}


def build(small_tree: dict[str, Unit]) -> ScopeWorld:
    db_root = found("Liên đoàn Lao động tỉnh Điện Biên", "province", small_tree["national"], code="DB")
    district = found("Liên đoàn Lao động huyện Mường Nhé, Điện Biên", "upper", db_root, code="DB-MN")
    foreign_unit = found(
        "Công đoàn cơ sở Trường THCS Mường Nhé, Điện Biên", "grassroots", district, code="DB-MN-01"
    )
    make_user("dien-bien-officer", db_root, Role.OFFICER, last_name="Điện Biên")
    own_unit = small_tree["a"]
    for make in MAKERS:
        make(foreign_unit, "Điện Biên")
        make(own_unit, "Kiên Giang")
    # A move inside Điện Biên, so that its tree has history (links, names, a decision of the province).
    services.move_units(
        units=[foreign_unit],
        new_parent=db_root,
        effective_on=datetime.date(2024, 9, 1),
        decision=decision(datetime.date(2024, 8, 20), number="20/QĐ-LĐLĐ Điện Biên"),
    )
    requester = make_user("kg-admin", small_tree["kg"], Role.ADMIN)
    assert ObjectChange.objects.filter(unit__path__under=db_root.path).exists()
    return ScopeWorld(
        requester=requester,
        own_unit=own_unit,
        foreign_root=db_root,
        foreign_unit=Unit.objects.get(pk=foreign_unit.pk),
    )
