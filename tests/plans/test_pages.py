"""The programme pages and API: what the user's scope holds, filtered alike, each programme with its parts."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from congdoan.accounts.models import Role
from congdoan.plans.services import load_seed_programmes


@pytest.fixture
def seeded(provinces, user_at):
    load_seed_programmes()
    return {code: user_at(provinces[code], Role.VIEWER) for code in ("DB", "KG", "national")}


def logged_in(user, client_class=Client):
    client = client_class()
    client.force_login(user)
    return client


def test_the_list_shows_the_programmes_of_the_users_subtree(seeded):
    page = logged_in(seeded["DB"]).get("/programmes/").content.decode()
    assert "579/CV-LĐLĐ" in page and "Ban Thường vụ Tỉnh ủy Điện Biên" in page
    assert "324/KH-LĐLĐ" not in page and "Kiên Giang" not in page


def test_a_programme_page_shows_targets_tasks_deadlines_and_recipients(seeded):
    page = logged_in(seeded["DB"]).get("/programmes/DB-579-CV-2019/").content.decode()
    for text in (
        "≥ 70%",
        "≥ 594",
        "kết nạp được 594 đoàn viên",
        "Giải pháp 6",
        "Vanphongldlddb@gmail.com",
        "10/11/2019",
        "Các Ban LĐLĐ tỉnh",
        "Quyết định 433/QĐ-LĐLĐ ngày 24/01/2019",
    ):
        assert text in page, text
    kien_giang = logged_in(seeded["KG"]).get("/programmes/KG-NQ-2020/").content.decode()
    assert "≥ 5.821" in kien_giang


def test_a_programme_outside_the_scope_is_not_found(seeded):
    assert logged_in(seeded["DB"]).get("/programmes/KG-NQ-2020/").status_code == 404
    assert logged_in(seeded["DB"], APIClient).get("/api/programmes/KG-NQ-2020/").status_code == 404


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ("year=2020", {"DB-579-CV-2019", "KG-NQ-2020"}),
        ("year=2023", {"LC-324-KH-2022", "DB-CT-TU-2021"}),
        ("kind=directive", {"DB-CT-TU-2021"}),
        ("under=DB", {"DB-579-CV-2019", "DB-CT-TU-2021"}),
        ("q=579", {"DB-579-CV-2019"}),
    ],
)
def test_the_api_filters_like_the_pages(seeded, query, refs):
    answer = logged_in(seeded["national"], APIClient).get(f"/api/programmes/?{query}").json()
    assert {p["ref"] for p in answer["results"]} == refs


def test_the_api_gives_a_programme_with_all_its_parts(seeded):
    answer = logged_in(seeded["national"], APIClient).get("/api/programmes/LC-324-KH-2022/").json()
    assert answer["period"] == {
        "kind": "every_year",
        "start": 2022,
        "end": None,
        "year": None,
        "label": answer["period"]["label"],
    }
    assert len(answer["targets"]) == 9 and answer["targets"][0]["value"] == 98.0
    assert answer["targets"][0]["comparator"] == ">" and answer["targets"][0]["manual"] is True
    assert [r["who"] for r in answer["responsibilities"]][:2] == [
        "Ban Tổ chức - Kiểm tra",
        "Ban Tuyên giáo - Nữ công",
    ]
    assert answer["merge_rule"]["small_below_members"] == 10
    assert len(answer["tasks"]) == 7 and answer["recipients"][0]["text"] == "Tổng LĐLĐ Việt Nam"
