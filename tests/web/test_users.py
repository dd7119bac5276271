import pytest
from django.urls import reverse

from congdoan.accounts.models import Role, User


@pytest.fixture
def admin(client_as):
    return client_as("admin")


NEW_USER = {
    "username": "chu-tich-kg-rg-02",
    "first_name": "Hoa",
    "last_name": "Phạm Thị",
    "email": "",
    "unit": "KG-RG-02",
    "role": Role.CHAIR,
    "is_active": "on",
    "password1": "Cong-doan-Rach-Gia-2025",
    "password2": "Cong-doan-Rach-Gia-2025",
}


def test_admin_lists_users_of_their_subtree_only(admin):
    names = {user.username for user in admin.get(reverse("accounts:users")).context["page"]}
    assert {"kg-admin", "kg-officer", "kg-viewer", "kg-rg-01-chair"} <= names
    assert "ag-officer" not in names and "root" not in names


def test_admin_searches_users_without_diacritics(admin):
    response = admin.get(reverse("accounts:users"), {"q": "truong thpt"})  # the chair's CĐCS
    assert [user.username for user in response.context["page"]] == ["kg-rg-01-chair"]


def test_user_search_matches_every_word_in_the_person_or_the_unit(admin, small_tree):
    hoa = User.objects.create(
        username="hoa-rg-02", first_name="Hoa", last_name="Phạm Thị", unit=small_tree["b"]
    )
    User.objects.create(username="hoa-ag", first_name="Hoa", last_name="Phạm Thị", unit=small_tree["d"])

    def found(query):
        return [user.username for user in admin.get(reverse("accounts:users"), {"q": query}).context["page"]]

    assert found("PHAM thi hoa") == ["hoa-rg-02"]  # the namesake in An Giang is outside the scope
    assert found("hoa thuy san") == ["hoa-rg-02"]  # words of the person and of the unit's name
    hoa.last_name = "Trần Thị"
    hoa.save(update_fields=["last_name"])
    assert found("tran thi hoa") == ["hoa-rg-02"] and found("pham thi hoa") == []


def test_admin_creates_a_user_in_scope(admin):
    assert admin.post(reverse("accounts:user_create"), NEW_USER).status_code == 302
    user = User.objects.get(username="chu-tich-kg-rg-02")
    assert user.unit.code == "KG-RG-02" and user.role == Role.CHAIR
    assert user.check_password("Cong-doan-Rach-Gia-2025")
    assert not user.is_superuser


def test_user_unit_must_be_in_scope(admin):
    response = admin.post(reverse("accounts:user_create"), {**NEW_USER, "unit": "AG-LX-01"})
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="chu-tich-kg-rg-02").exists()


def test_weak_or_mismatched_password_is_refused(admin):
    response = admin.post(
        reverse("accounts:user_create"), {**NEW_USER, "password1": "123", "password2": "123"}
    )
    assert "password1" in response.context["form"].errors
    response = admin.post(reverse("accounts:user_create"), {**NEW_USER, "password2": "khac"})
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="chu-tich-kg-rg-02").exists()


def test_admin_edits_role_and_keeps_password_when_left_empty(admin, world):
    viewer = world.users["viewer"]
    viewer.set_password("Mat-khau-cu-2025")
    viewer.save()
    data = {
        "username": viewer.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "unit": "KG-PQ",
        "role": Role.OFFICER,
        "is_active": "on",
        "password1": "",
        "password2": "",
    }
    assert admin.post(reverse("accounts:user_edit", args=[viewer.pk]), data).status_code == 302
    viewer.refresh_from_db()
    assert (viewer.role, viewer.unit.code) == (Role.OFFICER, "KG-PQ")
    assert viewer.check_password("Mat-khau-cu-2025")


def test_admin_cannot_open_accounts_outside_scope(admin, world):
    assert admin.get(reverse("accounts:user_edit", args=[world.users["outsider"].pk])).status_code == 404
    assert admin.get(reverse("accounts:user_edit", args=[world.users["superuser"].pk])).status_code == 404


def test_superuser_accounts_are_out_of_an_admins_reach(client, django_user_model):
    from congdoan.accounts.models import Role
    from tests.factories import found

    national = found("Tổng Liên đoàn Lao động Việt Nam", "national", code="TLD-SU")
    province = found("Liên đoàn Lao động tỉnh Lai Châu", "province", national, code="LC-SU")
    admin = django_user_model.objects.create_user(
        "lc.admin", password="x-very-long-pass", unit=province, role=Role.ADMIN
    )
    root = django_user_model.objects.create_superuser("root", password="x-very-long-pass", unit=province)
    client.force_login(admin)
    assert "root" not in client.get("/accounts/users/").content.decode()
    assert client.get(f"/accounts/users/{root.pk}/").status_code == 404
    assert client.post(f"/accounts/users/{root.pk}/", {"username": "root"}).status_code == 404
