import datetime
import re

from django.db import transaction
from django.db.models import Sum

from congdoan.audit.models import ObjectChange
from congdoan.demo.builder import REORGANISED_ON, ProvincePlanner, build_demo
from congdoan.demo.places import KIEN_GIANG
from congdoan.members.models import Member, MemberEvent
from congdoan.plans.models import AllocationShare, ReportedValue
from congdoan.units import selectors
from congdoan.units.management.commands.units import console_operator
from congdoan.units.models import Decision, Employer, Level, Reorganisation, Sector, Unit, UnitLink
from tests.demo.sizes import SMALL, TINY

D = datetime.date
EVE = D(2025, 6, 30)


class Rollback(Exception):
    pass


def snapshot(seed: int) -> dict:
    """Everything a seed decides, read back from a build that is then rolled back."""
    try:
        with transaction.atomic():
            build_demo(seed=seed, members=TINY)
            result = {
                "units": list(
                    Unit.objects.order_by("code").values_list(
                        "code",
                        "name",
                        "unit_type__code",
                        "sector",
                        "area__code",
                        "founded_on",
                        "dissolved_on",
                        "parent__code",
                    )
                ),
                "links": list(
                    UnitLink.objects.order_by("unit__code", "valid_from").values_list(
                        "unit__code", "parent__code", "valid_from", "valid_to"
                    )
                ),
                "employers": list(
                    Employer.objects.order_by("unit__code", "name").values_list(
                        "unit__code", "name", "tax_code", "workforce", "female_workforce"
                    )
                ),
                "decisions": list(
                    Decision.objects.order_by("issuer__code", "signed_on", "number").values_list(
                        "issuer__code", "number", "signed_on", "signer", "summary"
                    )
                ),
                "members": list(
                    Member.objects.order_by("code").values_list(
                        "code",
                        "full_name",
                        "birth_date",
                        "birth_year",
                        "id_number",
                        "phone",
                        "unit__code",
                        "status",
                    )
                ),
                "events": list(
                    MemberEvent.objects.order_by("member__code", "on", "id").values_list(
                        "member__code", "kind", "on", "unit__code", "other_unit__code", "suspended_until"
                    )
                ),
                "figures": list(
                    ReportedValue.objects.order_by(
                        "target__programme__ref", "target__position", "unit__code", "stands_on"
                    ).values_list(
                        "target__programme__ref",
                        "target__position",
                        "unit__code",
                        "stands_on",
                        "numerator",
                        "denominator",
                    )
                ),
                "shares": list(
                    AllocationShare.objects.order_by("unit__code").values_list("unit__code", "value", "base")
                ),
            }
            raise Rollback
    except Rollback:
        return result


def test_same_seed_builds_the_same_demo(db):
    first = snapshot(7)
    assert Unit.objects.count() == 0  # rolled back
    assert snapshot(7) == first


def test_another_seed_plans_another_province():
    def plan(seed):
        planned = ProvincePlanner(KIEN_GIANG, members=2_000, seed=seed).plan()
        return [
            (g.name, g.employer.workforce if g.employer else None, g.founded_on) for g in planned.grassroots
        ]

    assert plan(7) == plan(7)
    assert plan(8) != plan(7)


def provinces_on(on):
    links = selectors.links_on(user=console_operator(), on=on, under=Unit.objects.get(code="TLD"))
    return sorted(link.unit.code for link in links if link.unit.unit_type.level == Level.PROVINCE)


def test_employers_hold_the_members_asked_for(demo, db):
    assert demo.workforce == SMALL
    kien_giang = Employer.objects.filter(area__parent__parent__code="91").aggregate(n=Sum("workforce"))["n"]
    assert kien_giang == SMALL["KG"]
    sizes = list(Employer.objects.values_list("workforce", flat=True))
    assert min(sizes) >= 5
    assert sum(size < 10 for size in sizes) > len(sizes) / 10  # many tiny employers
    assert max(sizes) >= 500  # and a few large ones


def test_kien_giang_has_grassroots_unions_of_every_sector(demo, db):
    kg = Unit.objects.get(code="KG")
    links = selectors.links_on(user=console_operator(), on=EVE, under=kg)
    sectors = {link.unit.sector for link in links if link.unit.unit_type.level == Level.GRASSROOTS}
    assert sectors == set(Sector.values)
    assert {link.unit.unit_type.code for link in links} >= {
        "ldld-huyen",
        "cd-vien-chuc",
        "cd-nganh-dp",
        "cd-kcn",
        "cdcs",
        "nghiep-doan",
        "cd-bo-phan",
    }


def test_the_2025_reorganisation_shows_in_the_tree(demo, db):
    assert provinces_on(EVE) == ["AG", "DB", "HN", "KG", "LC"]
    assert provinces_on(REORGANISED_ON) == ["AG", "DB", "HN", "LC"]
    reader = console_operator()
    before = selectors.links_on(user=reader, on=EVE)
    after = selectors.links_on(user=reader, on=REORGANISED_ON)
    types_before = {link.unit.unit_type.code for link in before}
    types_after = {link.unit.unit_type.code for link in after}
    assert "ldld-huyen" in types_before and "cd-xa" not in types_before
    assert "cd-xa" in types_after
    assert not types_after & {"ldld-huyen", "cd-vien-chuc", "cd-nganh-dp"}
    full_budget = [link for link in before if link.unit.sector == Sector.PUBLIC_FULL]
    assert full_budget and not [link for link in after if link.unit.sector == Sector.PUBLIC_FULL]
    # The grassroots unions of Rạch Giá stood under the city federation and now under the ward union.
    rach_gia = Unit.objects.get(code="KG-RG")
    ward = Unit.objects.get(code="AG-RACHGIA")
    moved = UnitLink.objects.filter(parent=rach_gia, valid_to=REORGANISED_ON).values_list("unit", flat=True)
    assert moved
    assert set(
        UnitLink.objects.filter(unit__in=moved, valid_from=REORGANISED_ON).values_list("parent", flat=True)
    ) == {ward.pk}
    assert ward.parent.code == "AG"


def test_kien_giang_ends_with_an_giang_as_successor(demo, db):
    kg, ag = Unit.objects.get(code="KG"), Unit.objects.get(code="AG")
    assert kg.dissolved_on == REORGANISED_ON
    assert selectors.successor_today(kg) == ag
    assert kg.path.startswith(ag.path)
    # Its industrial-park union moved to An Giang with the merger and took An Giang's name.
    parks = Unit.objects.get(code="KG-KCN")
    assert parks.parent == ag and parks.is_active
    names = selectors.names_on(unit_ids=[parks.pk], on=EVE)
    assert "Kiên Giang" in names[parks.pk].name and "An Giang" in parks.name


def test_history_before_2025_is_kept_with_decisions(demo, db):
    history = Reorganisation.objects.filter(effective_on__lt=REORGANISED_ON).exclude(
        kind=Reorganisation.Kind.FOUND, decision__isnull=True
    )
    kinds = set(history.values_list("kind", flat=True))
    assert kinds >= {"found", "rename", "move", "dissolve", "merge"}
    for reorganisation in history.select_related("decision__issuer"):
        decision = reorganisation.decision
        assert re.fullmatch(r"\d+/QĐ-[A-ZĐ]+", decision.number)
        assert decision.signer and decision.issuer is not None
        assert decision.signed_on <= reorganisation.effective_on
    phu_quoc = Unit.objects.get(code="KG-PQ")
    assert selectors.names_on(unit_ids=[phu_quoc.pk], on=D(2020, 1, 1))[phu_quoc.pk].name.endswith(
        "huyện Phú Quốc"
    )
    assert selectors.names_on(unit_ids=[phu_quoc.pk], on=D(2022, 1, 1))[phu_quoc.pk].name.endswith(
        "thành phố Phú Quốc"
    )


def test_merged_small_unions_take_their_employers(demo, db):
    merges = Reorganisation.objects.filter(kind=Reorganisation.Kind.MERGE, effective_on__lt=REORGANISED_ON)
    assert merges
    for merge in merges:
        sources = Unit.objects.filter(
            reorganisation_roles__reorganisation=merge, reorganisation_roles__role="source"
        )
        assert all(source.dissolved_on == merge.effective_on for source in sources)
        assert not Employer.objects.filter(unit__in=sources).exists()
        assert Employer.objects.filter(unit=merge.unit).count() >= len(sources) >= 2


def test_every_unit_and_employer_is_in_the_change_log(demo, db):
    created = ObjectChange.objects.filter(action=ObjectChange.Action.CREATE)
    assert created.filter(content_type__model="unit").count() == Unit.objects.count()
    assert created.filter(content_type__model="employer").count() == Employer.objects.count()
    assert created.filter(content_type__model="member").count() == Member.objects.count()
    assert created.filter(content_type__model="memberevent").count() == MemberEvent.objects.count()
    assert ObjectChange.objects.values("request_id").distinct().count() == 1
