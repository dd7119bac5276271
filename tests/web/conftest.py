import pytest
from django.test import Client

from tests.mixins import build_world


@pytest.fixture
def world(small_tree):
    return build_world(small_tree)


@pytest.fixture
def client_as(world):
    """A test client logged in as one of the world's users, by role ("officer", "outsider", …)."""

    def login(role: str) -> Client:
        client = Client()
        client.force_login(world.users[role])
        return client

    return login
