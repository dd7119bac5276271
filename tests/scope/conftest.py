"""One world for the whole walk, built once: each test runs in a savepoint and leaves it as it found it."""

import pytest
from django.db import transaction

from tests.conftest import small_tree as build_small_tree
from tests.scope.world import ScopeWorld, build, disjoint_ids


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker) -> ScopeWorld:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            disjoint_ids()  # before the tree, so that every row gets an id of its table's own million
            # The small tree of tests/conftest.py, built by its function (a fixture is function-scoped).
            world = build(build_small_tree.__wrapped__(None))
            assert world.foreign_root.pk >= 1_000_000, "ids were not set apart"
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def scope_world(module_world, db) -> ScopeWorld:  # `db` opens a savepoint inside the module's transaction
    return module_world
