import pytest
from django.utils import translation


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
