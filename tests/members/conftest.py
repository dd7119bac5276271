from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from congdoan.members.imports.models import ImportBatch
from tests.members import listfiles
from tests.members.people import Registry, admit
from tests.mixins import build_world


@pytest.fixture
def english():
    """Tests that read messages compare them with the English source texts; users get them in Vietnamese
    (``test_import_cli.test_messages_reach_the_user_in_vietnamese``)."""
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def registry(small_tree) -> Registry:
    """Members on both sides of the scope, and a user per role (tests.members.people)."""
    return Registry(
        world=build_world(small_tree),
        an=admit(small_tree["a"], "Nguyễn Văn An", serial=1),
        binh=admit(small_tree["b"], "Trần Thị Bình", gender="female", year=1985, serial=2),
        cuong=admit(small_tree["d"], "Lê Văn Cường", serial=3),
    )


@pytest.fixture
def officer(registry, media, settings) -> Client:
    """The Kiên Giang officer's browser; the test runs the jobs itself (``jobs.work``), as `congdoan worker`
    would."""
    settings.CONGDOAN_JOBS = "worker"
    client = Client()
    client.force_login(registry.world.users["officer"])
    return client


@pytest.fixture
def upload(tmp_path):
    """``upload(client, rows)``: a list for KG-RG-01 (rows, or a workbook already written) posted on the
    import page to add members; gives back the batch it started, not read yet."""

    def post(client: Client, rows: list[list] | Path, *, name: str = "danh-sach.xlsx") -> ImportBatch:
        path = rows if isinstance(rows, Path) else listfiles.xlsx(tmp_path / name, rows)
        file = SimpleUploadedFile(path.name, path.read_bytes())
        response = client.post(reverse("members:imports"), {"file": file, "unit": "KG-RG-01", "mode": "add"})
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        return ImportBatch.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))

    return post
