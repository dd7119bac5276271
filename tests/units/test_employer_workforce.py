"""Employers keep their workforce over time: dated figures, the employer's own fields as the latest, the
indicators and allocation bases of a past period reading the figure standing then, the page and the API."""

# ruff: noqa: F811 (the fixture user_at is imported, and tests name it as an argument)

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.indicators.engine import actuals
from congdoan.indicators.values import Actual
from congdoan.units import services
from congdoan.units.models import Employer, EmployerWorkforce, Sector
from tests.factories import found, year_programme
from tests.indicators.builders import join
from tests.plans.conftest import user_at  # noqa: F401 (fixture)

D = datetime.date


@pytest.fixture
def tree(small_tree):
    return small_tree


@pytest.fixture
def employer(tree):
    return Employer.objects.create(unit=tree["a"], name="Công ty TNHH Thủy sản Kiên Cường")


def record(employer, on, workforce, female=0):
    return services.record_workforce(employer=employer, on=on, workforce=workforce, female_workforce=female)


def history(employer) -> list[tuple]:
    return list(employer.workforce_figures.values_list("on", "workforce", "female_workforce"))


def own(employer) -> tuple:
    employer.refresh_from_db()
    return employer.workforce, employer.female_workforce, employer.workforce_on


# ------------------------------------------------------------------------------------------- service


def test_the_employers_own_figure_follows_the_latest_and_a_day_again_replaces_it(employer, user_at, tree):
    officer = user_at(tree["rg"])
    with change_context(user=officer):
        record(employer, D(2020, 12, 31), 40, 10)
        assert own(employer) == (40, 10, D(2020, 12, 31))
        record(employer, D(2024, 12, 31), 120, 50)
        record(employer, D(2022, 12, 31), 80, 30)  # an older figure leaves the latest in place
        assert own(employer) == (120, 50, D(2024, 12, 31))
        record(employer, D(2024, 12, 31), 110, 50)
    assert history(employer) == [
        (D(2024, 12, 31), 110, 50),
        (D(2022, 12, 31), 80, 30),
        (D(2020, 12, 31), 40, 10),
    ]
    assert own(employer) == (110, 50, D(2024, 12, 31))
    logged = ObjectChange.objects.filter(content_type__model="employerworkforce")
    assert logged.count() == 4 and {(c.user, c.unit) for c in logged} == {(officer, tree["a"])}
    services.remove_workforce(figure=employer.workforce_figures.get(on=D(2024, 12, 31)))
    assert own(employer) == (80, 30, D(2022, 12, 31))


@pytest.mark.parametrize(
    ("counted_on", "kept_on"),
    [(D(2024, 6, 30), D(2024, 6, 30)), (None, "today")],
    ids=["dated", "undated"],
)
def test_a_figure_typed_before_the_history_began_is_kept_in_it(tree, counted_on, kept_on):
    employer = Employer.objects.create(
        unit=tree["a"],
        name="Công ty CP Xây dựng",
        workforce=300,
        female_workforce=100,
        workforce_on=counted_on,
    )
    record(employer, D(2020, 12, 31), 200, 60)  # the founding year's, recorded later
    kept_on = timezone.localdate() if kept_on == "today" else kept_on
    assert history(employer) == [(kept_on, 300, 100), (D(2020, 12, 31), 200, 60)]
    assert own(employer) == (300, 100, kept_on)


@pytest.mark.parametrize(
    ("on", "workforce", "female", "field"),
    [
        (None, 10, 0, "on"),
        ("tomorrow", 10, 0, "on"),
        (D(2024, 1, 1), 10, 11, "female_workforce"),
        (D(2024, 1, 1), -1, 0, "workforce"),
        (D(2024, 1, 1), None, 0, "workforce"),
    ],
)
def test_bad_figures_are_refused_naming_the_field_and_nothing_is_written(
    employer, on, workforce, female, field
):
    on = timezone.localdate() + datetime.timedelta(days=1) if on == "tomorrow" else on
    with pytest.raises(ValidationError) as error:
        record(employer, on, workforce, female)
    assert field in error.value.message_dict
    assert not EmployerWorkforce.objects.exists() and own(employer) == (0, 0, None)


@pytest.mark.parametrize(
    ("on", "workforce", "female", "field", "message"),
    [
        (None, 10, 0, "on", "Hãy nhập ngày thống kê số lao động."),
        ("tomorrow", 10, 0, "on", "Chỉ thống kê được số lao động đến hôm nay, không cho ngày sau đó."),
        (D(2024, 1, 1), 10, 11, "female_workforce", "Số lao động nữ không được vượt quá tổng số lao động."),
    ],
)
def test_a_refusal_says_why_in_vietnamese(employer, on, workforce, female, field, message):
    on = timezone.localdate() + datetime.timedelta(days=1) if on == "tomorrow" else on
    with pytest.raises(ValidationError) as error:
        record(employer, on, workforce, female)
    assert error.value.message_dict[field] == [message]


# ---------------------------------------------------------------------------------------- indicators


def test_a_past_period_reads_the_workforce_counted_then(tree):
    enterprise = found(
        "CĐCS Công ty May Rạch Giá", "grassroots", tree["rg"], on=D(2020, 5, 1), sector=Sector.FDI
    )
    employer = Employer.objects.create(unit=enterprise, name="Công ty May Rạch Giá")
    join(enterprise, D(2020, 6, 1))
    founded_25 = dict(indicator="enterprise_grassroots_founded_25", start=D(2020, 1, 1), end=D(2020, 12, 31))
    rate_2020 = dict(indicator="unionisation_pct", start=None, end=D(2020, 12, 31))
    rate_2024 = dict(indicator="unionisation_pct", start=None, end=D(2024, 12, 31))
    ids = [enterprise.pk, tree["rg"].pk]
    none = Actual(Decimal(0))
    assert actuals(unit_ids=ids, **founded_25)[tree["rg"].pk] == none  # no workforce known
    record(employer, D(2024, 12, 31), 60)  # its first figure: every earlier day falls back to it
    assert actuals(unit_ids=ids, **founded_25)[tree["rg"].pk] == Actual(Decimal(1))
    assert actuals(unit_ids=ids, **rate_2020)[enterprise.pk] == Actual(Decimal(1), Decimal(60))
    record(employer, D(2020, 5, 1), 20)  # counted when the union was founded: too small then
    assert actuals(unit_ids=ids, **founded_25)[tree["rg"].pk] == none
    assert actuals(unit_ids=ids, **rate_2020)[tree["rg"].pk] == Actual(Decimal(1), Decimal(20))
    assert actuals(unit_ids=ids, **rate_2024)[tree["rg"].pk] == Actual(Decimal(1), Decimal(60))
    services.remove_workforce(figure=employer.workforce_figures.get(on=D(2020, 5, 1)))
    assert actuals(unit_ids=ids, **rate_2020)[enterprise.pk] == Actual(Decimal(1), Decimal(60))


def test_an_allocation_by_workforce_reads_the_figures_of_its_day(tree):
    from congdoan.plans import allocation
    from congdoan.plans.models import AllocationMethod, Target, TargetKind

    programme = year_programme(tree["kg"], 2020, "KG-2020")
    target = Target.objects.create(
        programme=programme,
        position=1,
        text="Kết nạp",
        value=Decimal(100),
        kind=TargetKind.COUNT,
        manual=True,
    )
    record(Employer.objects.create(unit=tree["a"], name="Cảng cá"), D(2019, 6, 1), 30)
    record(Employer.objects.get(unit=tree["a"]), D(2024, 6, 1), 90)
    record(Employer.objects.create(unit=tree["c"], name="Khách sạn"), D(2019, 6, 1), 70)
    parts = allocation.split(target=target, method=AllocationMethod.WORKFORCE)
    assert {part.unit.code: (part.base, part.value) for part in parts} == {
        "KG-RG": (30, 30),
        "KG-PQ": (70, 70),
    }


# -------------------------------------------------------------------------------------- page and API


def test_the_employers_page_records_a_figure_inline_and_locks_the_typed_workforce(employer, tree, user_at):
    client = Client()
    client.force_login(user_at(tree["rg"]))
    page_url = reverse("units:employer_edit", args=[employer.pk])
    record_url = reverse("units:employer_workforce", args=[employer.pk])
    page = client.get(page_url).content.decode()
    assert f'hx-post="{record_url}"' in page
    refused = client.post(
        record_url,
        {"on": "01/01/2099", "workforce": "10", "female_workforce": "0"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 200 and 'id="workforce-box"' in refused.content.decode()
    assert "has-error" in refused.content.decode() and not EmployerWorkforce.objects.exists()
    inline = client.post(
        record_url,
        {"on": "31/12/2020", "workforce": "45", "female_workforce": "20"},
        headers={"HX-Request": "true"},
    )
    assert inline.status_code == 200 and "31/12/2020" in inline.content.decode()
    plain = client.post(record_url, {"on": "31/12/2023", "workforce": "60", "female_workforce": "25"})
    assert plain.status_code == 302 and plain["Location"] == page_url
    assert own(employer) == (60, 25, D(2023, 12, 31))
    # The typed workforce is the latest figure now: the employer's form leaves it alone.
    client.post(page_url, {"name": employer.name, "workforce": "999", "female_workforce": "0"})
    assert own(employer) == (60, 25, D(2023, 12, 31))
    typed = re.compile(r'<input[^>]*name="workforce"[^>]*>')
    assert "disabled" not in typed.search(page).group(0)  # before the history, it was typed freely
    assert "disabled" in typed.search(client.get(page_url).content.decode()).group(0)


def test_the_api_records_lists_and_removes_figures_within_scope(employer, tree, user_at):
    district = APIClient()
    district.force_login(user_at(tree["rg"]))
    made = district.post(
        "/api/employer-workforce/",
        {"employer": employer.pk, "on": "2020-12-31", "workforce": 45, "female_workforce": 20},
        format="json",
    )
    assert made.status_code == 201, made.json()
    again = district.post(
        "/api/employer-workforce/",
        {"employer": employer.pk, "on": "2020-12-31", "workforce": 47},
        format="json",
    )
    assert again.status_code == 201 and again.json()["id"] == made.json()["id"]
    bad = district.post(
        "/api/employer-workforce/",
        {"employer": employer.pk, "on": "2021-12-31", "workforce": 5, "female_workforce": 6},
        format="json",
    )
    assert bad.status_code == 400 and "female_workforce" in bad.json()
    listed = district.get("/api/employer-workforce/", {"employer": employer.pk}).json()["results"]
    assert [(row["on"], row["workforce"]) for row in listed] == [("2020-12-31", 47)]
    typed = district.patch(f"/api/employers/{employer.pk}/", {"workforce": 999}, format="json")
    assert typed.status_code == 400
    assert typed.json()["workforce"][0].startswith("Đơn vị sử dụng lao động này lưu số lao động")
    foreign = APIClient()
    foreign.force_login(user_at(tree["pq"]))
    assert foreign.get(f"/api/employer-workforce/{made.json()['id']}/").status_code == 404
    refused = foreign.post(
        "/api/employer-workforce/",
        {"employer": employer.pk, "on": "2022-12-31", "workforce": 5},
        format="json",
    )
    assert refused.status_code == 400 and "employer" in refused.json()
    assert district.delete(f"/api/employer-workforce/{made.json()['id']}/").status_code == 204
    assert not EmployerWorkforce.objects.exists()


def test_the_employers_page_removes_a_figure_recorded_in_error_after_confirming(employer, tree, user_at):
    record(employer, D(2020, 12, 31), 45, 20)
    wrong = record(employer, D(2023, 12, 31), 6000, 25)
    client = Client()
    client.force_login(user_at(tree["rg"]))
    page_url = reverse("units:employer_edit", args=[employer.pk])
    remove_url = reverse("units:employer_workforce_remove", args=[wrong.pk])
    page = client.get(page_url).content.decode()
    assert f'hx-post="{remove_url}"' in page and "hx-confirm" in page
    # Without JavaScript the button's post asks first: nothing is removed until it is confirmed.
    asked = client.post(remove_url)
    assert asked.status_code == 200 and 'name="confirm"' in asked.content.decode()
    assert "31/12/2023" in asked.content.decode() and EmployerWorkforce.objects.filter(pk=wrong.pk).exists()
    inline = client.post(remove_url, {"confirm": "1"}, headers={"HX-Request": "true"})
    box = inline.content.decode()
    assert inline.status_code == 200 and 'id="workforce-box"' in box
    assert "31/12/2023" not in box and "31/12/2020" in box
    assert history(employer) == [(D(2020, 12, 31), 45, 20)]
    assert own(employer) == (45, 20, D(2020, 12, 31))  # the employer's own figure follows the latest left
    removed = ObjectChange.objects.for_object(wrong).get(action=ObjectChange.Action.DELETE)
    assert removed.user.unit == tree["rg"] and removed.before["workforce"] == 6000
    # A plain post goes back to the employer's page, saying what was removed.
    last = employer.workforce_figures.get()
    plain = client.post(reverse("units:employer_workforce_remove", args=[last.pk]), {"confirm": "1"})
    assert plain.status_code == 302 and plain["Location"] == page_url
    assert not EmployerWorkforce.objects.exists()
    assert client.post(remove_url, {"confirm": "1"}).status_code == 404  # gone already


@pytest.mark.parametrize(("role", "unit", "status"), [("viewer", "rg", 403), ("officer", "pq", 404)])
def test_a_figure_is_removed_only_by_those_who_may_change_its_employer(
    employer, tree, user_at, role, unit, status
):
    figure = record(employer, D(2020, 12, 31), 45, 20)
    client = Client()
    client.force_login(user_at(tree[unit], role))
    remove_url = reverse("units:employer_workforce_remove", args=[figure.pk])
    # A viewer is shown no button: the employer's page, the only one holding it, is not theirs to open.
    assert client.get(reverse("units:employer_edit", args=[employer.pk])).status_code == status
    assert client.get(remove_url).status_code == status
    assert client.post(remove_url, {"confirm": "1"}, headers={"HX-Request": "true"}).status_code == status
    assert history(employer) == [(D(2020, 12, 31), 45, 20)]
