"""NetBox-style test mixins: a test class names a model's API routes and how to build its objects, and
inherits the list / retrieve / create / update / delete tests and the permission matrix for every role.

The world (``build_world``): the small tree of ``tests.conftest`` with one user per role attached in
Kiên Giang (the chair to its grassroots union KG-RG-01), a superuser, and an officer of An Giang. Each
test class builds three objects of its model: ``own`` under KG-RG-01 (everyone in Kiên Giang sees it,
the chair included), ``sibling`` under KG-RG-02 (the chair does not see it) and ``foreign`` under
AG-LX-01 (no one in Kiên Giang sees it).

A class declares which roles may do what; the matrix expects 2xx for those and 403 for the others who
can see the object, 404 for those who cannot, and 401/403 for anonymous callers.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from congdoan.accounts.models import Role, User
from congdoan.audit.models import ObjectChange
from congdoan.units.models import Unit

ROLES = ("superuser", "admin", "officer", "viewer", "chair")
KIEN_GIANG_ROLES = ("admin", "officer", "viewer")
ANONYMOUS = (401, 403)


@dataclasses.dataclass
class World:
    units: dict[str, Unit]
    users: dict[str, User]  # by role, plus "outsider": an officer of An Giang

    @property
    def own_unit(self) -> Unit:
        return self.units["a"]

    @property
    def foreign_unit(self) -> Unit:
        return self.units["d"]


def make_user(username: str, unit: Unit | None, role: str, **extra) -> User:
    user = User(username=username, unit=unit, role=role, **extra)
    user.set_unusable_password()
    user.save()
    return user


def build_world(tree: dict[str, Unit]) -> World:
    users = {
        "superuser": make_user("root", None, Role.ADMIN, is_superuser=True, is_staff=True),
        "admin": make_user("kg-admin", tree["kg"], Role.ADMIN),
        "officer": make_user("kg-officer", tree["kg"], Role.OFFICER),
        "viewer": make_user("kg-viewer", tree["kg"], Role.VIEWER),
        "chair": make_user("kg-rg-01-chair", tree["a"], Role.CHAIR),
        "outsider": make_user("ag-officer", tree["ag"], Role.OFFICER),
    }
    return World(units=tree, users=users)


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


class APIViewTestCase:
    """What every generated test needs: the route names, the objects, and who may do what.

    A concrete class sets ``model``, ``basename`` and the role sets, and defines ``make(world, unit)``
    (an object of the model belonging to ``unit``); create tests also need ``create_data(world)`` (a body
    placing a new object under KG-RG-01), update tests ``update_data(world)`` (a partial body whose
    values the answer echoes).
    """

    model: ClassVar[type]
    basename: ClassVar[str]  # "units-api:employer" → "units-api:employer-list" / "-detail"
    lookup: ClassVar[str] = "pk"  # the attribute that names an object in its URL
    scoped: ClassVar[bool] = True  # False for reference data that everyone sees (unit types)
    read_roles: ClassVar[frozenset[str]] = frozenset(ROLES)

    @pytest.fixture
    def world(self, small_tree) -> World:
        return build_world(small_tree)

    @pytest.fixture
    def objects(self, world) -> dict[str, Any]:
        return {key: self.make(world, world.units[name]) for key, name in PLACES.items()}

    @property
    def key_field(self) -> str:
        """The field of an answer that carries the lookup value."""
        return "id" if self.lookup == "pk" else self.lookup

    def list_url(self) -> str:
        return reverse(f"{self.basename}-list")

    def detail_url(self, obj) -> str:
        return reverse(f"{self.basename}-detail", kwargs={self.lookup: getattr(obj, self.lookup)})

    def sees(self, role: str, key: str) -> bool:
        """Whether ``role``'s subtree holds the object ``key`` ("own", "sibling", "foreign")."""
        if not self.scoped or role == "superuser":
            return True
        if role == "outsider":
            return key == "foreign"
        return key != "foreign" and (role != "chair" or key == "own")

    def expected(self, role: str, allowed: frozenset[str], success: int, key: str = "own") -> int:
        """The status ``role`` gets for an operation that ``allowed`` roles may do, on object ``key``."""
        kind = "officer" if role == "outsider" else role
        if kind not in self.read_roles:
            return 403
        if not self.sees(role, key):
            return 404
        return success if kind in allowed else 403

    def assert_logged(self, obj_pk, action: str, user: User) -> None:
        change = ObjectChange.objects.filter(object_id=obj_pk, action=action).order_by("-id").first()
        assert change is not None, f"no {action} in the change log for {self.model.__name__} {obj_pk}"
        assert change.user_id == user.pk and change.request_id is not None


# Where the three objects of each test class belong.
PLACES = {"own": "a", "sibling": "b", "foreign": "d"}
# Who tries a write on which object: every role on its own object, and the two scope crossings.
WRITE_CASES = [
    *((role, "own") for role in (*ROLES, "outsider")),
    ("chair", "sibling"),
    ("officer", "foreign"),
]


class GetObjectViewTestCase(APIViewTestCase):
    @pytest.mark.parametrize("role", [*ROLES, "outsider"])
    @pytest.mark.parametrize("key", PLACES)
    def test_get_object(self, world, objects, role, key):
        response = client_for(world.users[role]).get(self.detail_url(objects[key]))
        assert response.status_code == self.expected(role, self.read_roles, 200, key), response.content
        if response.status_code == 200:
            assert response.json()[self.key_field] == getattr(objects[key], self.lookup)

    def test_get_object_anonymous(self, objects):
        assert client_for(None).get(self.detail_url(objects["own"])).status_code in ANONYMOUS

    def test_get_unknown_object_is_not_found(self, world, objects):
        url = self.detail_url(objects["own"]).replace(str(getattr(objects["own"], self.lookup)), "999999999")
        assert client_for(world.users["superuser"]).get(url).status_code == 404


class ListObjectsViewTestCase(APIViewTestCase):
    def listed(self, response) -> set:
        return {row[self.key_field] for row in response.json()["results"]}

    @pytest.mark.parametrize("role", [*ROLES, "outsider"])
    def test_list_objects(self, world, objects, role):
        response = client_for(world.users[role]).get(self.list_url())
        expected = 200 if ("officer" if role == "outsider" else role) in self.read_roles else 403
        assert response.status_code == expected, response.content
        if expected == 200:
            listed = self.listed(response)
            for key, obj in objects.items():
                assert (getattr(obj, self.lookup) in listed) == self.sees(role, key), (role, key)

    def test_list_objects_anonymous(self, objects):
        assert client_for(None).get(self.list_url()).status_code in ANONYMOUS


class CreateObjectViewTestCase(APIViewTestCase):
    create_roles: ClassVar[frozenset[str]]
    reference_field: ClassVar[str] = "unit"  # the body field naming the unit a new object belongs to

    def foreign_create_data(self, world: World) -> dict:
        """The body of ``create_data``, placing the object under An Giang."""
        return {**self.create_data(world), self.reference_field: world.foreign_unit.code}

    @pytest.mark.parametrize("role", ROLES)
    def test_create_object(self, world, role):
        before = self.model.objects.count()
        response = client_for(world.users[role]).post(self.list_url(), self.create_data(world), format="json")
        allowed = role in self.create_roles
        assert response.status_code == (201 if allowed else 403), response.content
        assert self.model.objects.count() == before + (1 if allowed else 0)
        if allowed:
            created = self.model.objects.get(**{self.lookup: response.json()[self.key_field]})
            self.assert_logged(created.pk, ObjectChange.Action.CREATE, world.users[role])

    def test_create_object_outside_scope_names_the_field(self, world):
        if not self.scoped:
            pytest.skip(f"{self.model.__name__} belongs to no unit")
        writer = next(role for role in ("officer", "admin") if role in self.create_roles)
        before = self.model.objects.count()
        response = client_for(world.users[writer]).post(
            self.list_url(), self.foreign_create_data(world), format="json"
        )
        assert response.status_code == 400
        assert self.reference_field in response.json()
        assert self.model.objects.count() == before

    def test_create_object_anonymous(self, world):
        before = self.model.objects.count()
        response = client_for(None).post(self.list_url(), self.create_data(world), format="json")
        assert response.status_code in ANONYMOUS
        assert self.model.objects.count() == before


class UpdateObjectViewTestCase(APIViewTestCase):
    update_roles: ClassVar[frozenset[str]]

    @pytest.mark.parametrize(("role", "key"), WRITE_CASES)
    def test_update_object(self, world, objects, role, key):
        obj, data = objects[key], self.update_data(world)
        response = client_for(world.users[role]).patch(self.detail_url(obj), data, format="json")
        expected = self.expected(role, self.update_roles, 200, key)
        assert response.status_code == expected, response.content
        if expected == 200:
            assert {name: response.json()[name] for name in data} == data
            self.assert_logged(obj.pk, ObjectChange.Action.UPDATE, world.users[role])
        else:
            obj.refresh_from_db()
            assert all(getattr(obj, name) != value for name, value in data.items())

    def test_update_object_anonymous(self, world, objects):
        response = client_for(None).patch(
            self.detail_url(objects["own"]), self.update_data(world), format="json"
        )
        assert response.status_code in ANONYMOUS


class DeleteObjectViewTestCase(APIViewTestCase):
    delete_roles: ClassVar[frozenset[str]]

    @pytest.mark.parametrize(("role", "key"), WRITE_CASES)
    def test_delete_object(self, world, objects, role, key):
        obj = objects[key]
        response = client_for(world.users[role]).delete(self.detail_url(obj))
        expected = self.expected(role, self.delete_roles, 204, key)
        assert response.status_code == expected, response.content
        assert self.model.objects.filter(pk=obj.pk).exists() == (expected != 204)
        if expected == 204:
            self.assert_logged(obj.pk, ObjectChange.Action.DELETE, world.users[role])

    def test_delete_object_anonymous(self, objects):
        assert client_for(None).delete(self.detail_url(objects["own"])).status_code in ANONYMOUS
        assert self.model.objects.filter(pk=objects["own"].pk).exists()


class APIViewTestCases:
    """The usual bundles, as in NetBox."""

    class ReadOnly(GetObjectViewTestCase, ListObjectsViewTestCase):
        pass

    class ReadCreate(GetObjectViewTestCase, ListObjectsViewTestCase, CreateObjectViewTestCase):
        pass

    class ReadCreateUpdate(
        GetObjectViewTestCase, ListObjectsViewTestCase, CreateObjectViewTestCase, UpdateObjectViewTestCase
    ):
        pass

    class CRUD(
        GetObjectViewTestCase,
        ListObjectsViewTestCase,
        CreateObjectViewTestCase,
        UpdateObjectViewTestCase,
        DeleteObjectViewTestCase,
    ):
        pass
