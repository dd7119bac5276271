"""The filtered member list as a file, from the list page: who may ask for it and what it holds."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def client_for(registry, role: str) -> Client:
    client = Client()
    client.force_login(registry.world.users[role])
    return client


def test_a_superuser_without_a_unit_exports_the_whole_list(registry):
    response = client_for(registry, "superuser").get("/members/export/", {"format": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0].startswith("DANH SÁCH ĐOÀN VIÊN — ngày ")
    assert {row[1] for row in rows[2:]} == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}
