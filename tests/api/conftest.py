import pytest

from tests.mixins import build_world


@pytest.fixture
def world(small_tree):
    return build_world(small_tree)
