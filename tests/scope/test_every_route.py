"""Every route and every API operation, tried by a Kiên Giang administrator against Điện Biên's objects.

- A route that takes an object (a code, an id) answers 403 or 404 for every foreign object, whatever
  the method: never 200 with data, never a 500, and nothing in Điện Biên changes.
- A route that takes none (a list, a form) shows nothing of Điện Biên, with or without filters naming
  Điện Biên's units, and a form posted with Điện Biên's units in every field changes nothing there.
- Every API operation in the schema: each query parameter set to a foreign value shows nothing foreign;
  each write, with a body naming foreign objects in every field, changes nothing in Điện Biên.

Routes are discovered (``tests.scope.routes``), so a route added later is tried without anyone listing
it; only ``PUBLIC`` routes are skipped, each with a reason.
"""

import io
import re
import uuid
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from rest_framework.test import APIClient

from tests.scope import routes as r
from tests.scope.world import FOREIGN_MARKERS, ScopeWorld, rows_under

REFUSED = (403, 404, 405)
# Filter names tried on every page without object arguments (the API's come from its schema).
COMMON_FILTERS = ("q", "unit", "under", "parent", "issuer", "code", "at")
DATE = "2024-06-30"


@pytest.fixture
def client(scope_world: ScopeWorld) -> APIClient:
    client = APIClient()
    client.force_login(scope_world.requester)
    return client


def natural_keys(obj: models.Model) -> list[str]:
    """The values that name ``obj`` in a URL besides its id: its unique text fields (code, ref, username…)."""
    return [
        value
        for f in obj._meta.concrete_fields
        if f.unique
        and isinstance(f, models.CharField)
        and not f.primary_key
        and (value := getattr(obj, f.attname))
    ]


def foreign_arguments(route: r.Route, world: ScopeWorld) -> list[dict]:
    """Argument sets naming a foreign object: per object, its id, content type and natural keys."""
    sets = []
    for obj in world.foreign_samples():
        choices: dict[str, list] = {}
        for name in route.object_arguments:
            if "content_type" in name:
                choices[name] = [ContentType.objects.get_for_model(obj).pk]
            elif name.endswith(("code", "ref")):
                choices[name] = natural_keys(obj)
            else:
                choices[name] = [obj.pk]
        if all(choices.values()):
            for index in range(max(len(values) for values in choices.values())):
                sets.append({name: values[min(index, len(values) - 1)] for name, values in choices.items()})
    unique = []
    for arguments in sets:
        if arguments not in unique:
            unique.append(arguments)
    return unique


def readable(response) -> str:
    """The text of an answer: its body, streamed or not, and inside a zip (an Excel file) every part."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    return body.decode("utf-8", errors="replace")


def leaks(text: str, sent: list[str]) -> list[str]:
    """The foreign markers in an answer, once the values the request itself sent are taken out (a search
    box shows what was searched; a foreign object would still show its name, which carries a marker)."""
    for value in sent:
        text = text.replace(value, "")
    return [marker for marker in FOREIGN_MARKERS if marker in text]


def send(client: APIClient, method: str, url: str, body=None, **query):
    if url.startswith("/api/"):
        if method == "get":
            return client.get(url, query)
        return getattr(client, method)(url, body or {}, format="json")
    return getattr(client, method)(url, query if method == "get" else (body or {}))


def sent_values(*parts) -> list[str]:
    """Every text value inside a request's body and query, longest first."""
    values: list[str] = []

    def collect(value):
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)
        elif value is not None and not isinstance(value, bool):
            values.append(str(value))

    for part in parts:
        collect(part)
    return sorted(set(values), key=len, reverse=True)


def attempt(client, world: ScopeWorld, method: str, url: str, body=None, arguments=None, **query):
    """Send one request; the problems it shows: a 500, foreign text, a change in the foreign subtree.

    Text the request sent (body, query, the URL's ``arguments``) may come back (a search box, a "not
    found: DB-MN-01" message) and is not held against the answer.
    """
    problems = []
    before = world.foreign_state() if method != "get" else None
    try:
        response = send(client, method, url, body, **query)
    except Exception as error:  # the test client re-raises what a view raised: that is a 500
        return None, [f"{method.upper()} {url} {query or ''}: raised {error!r}"]
    if response.status_code >= 500:
        problems.append(f"{method.upper()} {url} {query or ''}: {response.status_code}")
    if found := leaks(readable(response), sent_values(body, query, arguments)):
        problems.append(f"{method.upper()} {url} {query or ''}: shows {found} ({response.status_code})")
    if before is not None and world.foreign_state() != before:
        problems.append(f"{method.upper()} {url}: changed the foreign subtree ({response.status_code})")
    return response, problems


# ------------------------------------------------------------------------------------------ discovery


def test_the_walk_finds_routes_of_every_kind():
    names = {route.name for route in r.all_routes()}
    assert {"units-api:unit-detail", "audit-api:change-list", "accounts-api:me"} <= names
    assert len(r.object_routes()) >= 15 and len(r.list_routes()) >= 10
    assert len(r.api_operations()) >= 30


def test_public_routes_exist():
    """Each exception names a route that is still there (a stale entry would hide nothing, but mislead)."""
    assert set(r.PUBLIC) <= {route.name for route in r.all_routes()}


@pytest.mark.parametrize("route", r.checked_routes(), ids=str)
def test_every_route_argument_is_understood(route):
    assert not route.unknown_arguments, (
        f"{route.name} takes {route.unknown_arguments}: name it like an object key (pk, code, …_id) "
        f"or give a sample value in tests/scope/routes.py SAMPLE_ARGUMENTS"
    )


def test_every_scoped_model_has_a_foreign_object(scope_world):
    empty = [model._meta.label for model, rows in scope_world.foreign_rows().items() if not rows.exists()]
    assert not empty, f"add a maker to tests/scope/world.py MAKERS for {empty}, so their routes are tried"


def test_ids_are_disjoint_across_models(scope_world):
    ids = [(obj._meta.label, obj.pk) for obj in scope_world.foreign_samples()]
    assert len({pk for _, pk in ids}) == len(ids), ids


# ------------------------------------------------------------------------------------------- the walk


@pytest.mark.parametrize("route", r.object_routes(), ids=str)
def test_object_route_refuses_every_foreign_object(route, scope_world, client):
    argument_sets = foreign_arguments(route, scope_world)
    assert argument_sets, f"no foreign object fits the arguments {route.object_arguments} of {route.name}"
    problems = []
    for arguments in argument_sets:
        url = route.url(arguments)
        for method in route.methods:
            response, found = attempt(client, scope_world, method, url, arguments=arguments)
            problems += found
            if response is not None and response.status_code not in REFUSED:
                problems.append(f"{method.upper()} {url}: {response.status_code}, expected 403/404")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", r.list_routes(), ids=str)
def test_route_without_object_shows_and_changes_nothing_foreign(route, scope_world, client):
    url = route.url({})
    foreign = scope_world.foreign_unit
    problems = []
    if "get" in route.methods:
        response, found = attempt(client, scope_world, "get", url)
        problems += found
        for name in COMMON_FILTERS:
            problems += attempt(
                client, scope_world, "get", url, **{name: DATE if name == "at" else foreign.code}
            )[1]
        fields = set(re.findall(r'name="([\w-]+)"', readable(response) if response is not None else ""))
    else:
        fields = set()
    for method in (m for m in route.methods if m != "get"):
        names = fields - {"csrfmiddlewaretoken"}
        for value in (foreign.code, foreign.pk, scope_world.foreign_root.code):
            body = {name: DATE if name.endswith(("_on", "date", "at")) else value for name in names}
            problems += attempt(client, scope_world, method, url, body)[1]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------- the API schema

OPERATIONS = [op for op in r.api_operations() if r.route_of(op).name not in r.PUBLIC]


def foreign_value(operation: r.Operation, schema: dict, name: str, world: ScopeWorld):
    """A value for one field of a body or query, naming a foreign object wherever it could."""
    schema = operation.resolve(schema)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return foreign_value(operation, schema[combined][0], name, world)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:  # its required fields (see ``foreign_bodies``)
        return {
            key: foreign_value(operation, sub, key, world)
            for key, sub in schema.get("properties", {}).items()
            if key in schema.get("required", ()) and not sub.get("readOnly")
        }
    if kind == "array":
        return [foreign_value(operation, schema["items"], name, world)]
    if schema.get("enum"):
        return next(value for value in schema["enum"] if value is not None)
    if kind == "integer":
        # An id: of the foreign object whose model is named like the field, else of the foreign unit.
        samples = {obj._meta.model_name: obj.pk for obj in world.foreign_samples()}
        return samples.get(name.replace("_", ""), world.foreign_unit.pk)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    return {
        "date": DATE,
        "date-time": f"{DATE}T08:00:00+07:00",
        "email": "dien-bien@example.vn",
        "uuid": str(uuid.uuid4()),
    }.get(schema.get("format"), world.foreign_unit.code)


def own_arguments(operation: r.Operation, world: ScopeWorld) -> dict:
    """Path parameters naming the requester's own object of the operation's model."""
    route = r.route_of(operation)
    view = route.view_class
    model = view.queryset.model
    lookup = getattr(view, "lookup_field", "pk")
    rows = rows_under(world.requester.unit).get(model) or model._default_manager.all()
    own = rows.order_by("pk").first()
    assert own is not None, f"no own {model._meta.label} to try {operation} on"
    return {name: getattr(own, lookup) for name in operation.path_parameters}


@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.method == "get" and not op.path_parameters], ids=str
)
def test_api_list_filters_show_nothing_foreign(operation, scope_world, client):
    problems = []
    response, found = attempt(client, scope_world, "get", operation.path)
    problems += found
    listed = (
        response is not None
        and response.status_code == 200
        and response["Content-Type"] == "application/json"
    )
    if listed and "results" in response.json():
        # Long lists (members) come in pages without a count; their first page then shows rows.
        body = response.json()
        assert body.get("count", len(body["results"])) > 0, (
            f"{operation} lists nothing even of the requester's own subtree"
        )
    for parameter in operation.query_parameters:
        value = foreign_value(operation, parameter.get("schema", {}), parameter["name"], scope_world)
        problems += attempt(client, scope_world, "get", operation.path, **{parameter["name"]: value})[1]
    assert not problems, "\n".join(problems)


def foreign_bodies(operation: r.Operation, world: ScopeWorld) -> list[dict]:
    """The required fields alone, then with each optional field added in turn: one bad optional value
    (an unknown area, say) would otherwise refuse the whole body before a reference is ever checked."""
    schema = operation.request_schema()
    if schema is None:
        return [{}]
    required = foreign_value(operation, schema, "", world)
    optional = [
        (key, sub)
        for key, sub in schema.get("properties", {}).items()
        if key not in required and not sub.get("readOnly")
    ]
    return [required] + [
        {**required, key: foreign_value(operation, sub, key, world)} for key, sub in optional
    ]


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.method != "get"], ids=str)
def test_api_write_naming_foreign_objects_changes_nothing_there(operation, scope_world, client):
    path = operation.path
    for name, value in own_arguments(operation, scope_world).items():
        path = path.replace("{" + name + "}", str(value))
    problems = []
    for body in foreign_bodies(operation, scope_world):
        response, found = attempt(client, scope_world, operation.method, path, body)
        problems += [problem for problem in found if "shows" not in problem]  # a write may echo its input
        if response is not None and response.status_code not in (200, 201, 204, 400, 403, 404, 409):
            problems.append(f"{operation} {body}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_the_walk_catches_an_unscoped_route(scope_world, client, monkeypatch):
    """The walk fails when a view forgets the scope (here: the employer API reads every employer)."""
    from congdoan.units.api.views import EmployerViewSet

    monkeypatch.setattr(EmployerViewSet, "get_queryset", lambda self: self.base_queryset())
    monkeypatch.setattr(
        EmployerViewSet, "get_object", lambda self: self.base_queryset().get(pk=self.kwargs["pk"])
    )
    listing = next(op for op in OPERATIONS if str(op) == "GET /api/employers/")
    with pytest.raises(AssertionError, match="shows"):
        test_api_list_filters_show_nothing_foreign(listing, scope_world, client)
    # Last, as the unscoped DELETE it tries does remove the foreign employer.
    route = next(route for route in r.object_routes() if route.name == "units-api:employer-detail")
    with pytest.raises(AssertionError, match="expected 403/404"):
        test_object_route_refuses_every_foreign_object(route, scope_world, client)


def test_the_walk_catches_a_reference_outside_scope(scope_world, client, monkeypatch):
    """The walk fails when a body may name a foreign unit (here: every unit field accepts any unit)."""
    from congdoan.accounts.api.scoped import ScopedRelatedField
    from congdoan.units.models import Unit

    monkeypatch.setattr(ScopedRelatedField, "get_queryset", lambda self: Unit.objects.all())
    create = next(op for op in OPERATIONS if str(op) == "POST /api/employers/")
    with pytest.raises(AssertionError, match="changed the foreign subtree"):
        test_api_write_naming_foreign_objects_changes_nothing_there(create, scope_world, client)
