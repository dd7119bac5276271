import pytest
from django.utils import translation

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
