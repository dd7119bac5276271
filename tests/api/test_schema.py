"""The OpenAPI schema generates cleanly and its docs page works offline."""

import re

from django.core.management import call_command
from django.urls import reverse


def test_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn raises on any warning of drf-spectacular (unresolvable types, name collisions…).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    assert "/api/units/{code}/merge/" in schema
    assert "Đơn vị công đoàn" in schema


def test_docs_page_loads_only_local_assets(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert sources, "the docs page should load Swagger UI"
    assert all(source.startswith("/") for source in sources), sources


def test_schema_is_served(client, db):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/units/" in response.json()["paths"]
