import pytest
from django.db import transaction

from congdoan.demo.builder import build_demo
from tests.demo.sizes import SMALL


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    """One small demo for the tests of this folder; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(seed=11, members=SMALL)
        yield result
        transaction.set_rollback(True)
