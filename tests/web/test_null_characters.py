"""A NUL character anywhere in a request is a 400 naming where it was, never a 500.

PostgreSQL refuses a NUL in any string it is sent, so a code with one, looked up by a form, a filter, a
related field or a path argument, ended the request in a 500. The walk reuses the scope walk's routes
and world (tests/scope): an officer of Điện Biên tries every page and every API operation on Điện
Biên's own objects, with a NUL in each query parameter the route knows, in its path arguments, in each
field of its form and in each field of its JSON body. It means most on PostgreSQL, and holds on SQLite.
"""

import dataclasses
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.urls import Resolver404
from django.utils import translation
from django.utils.html import escape
from rest_framework.test import APIClient

from congdoan.accounts.models import User
from congdoan.core import null_characters
from tests.scope import routes as r
from tests.scope.conftest import module_world, scope_world  # noqa: F401 (the walk's world)
from tests.scope.test_every_route import (
    COMMON_FILTERS,
    DATE,
    OPERATIONS,
    foreign_arguments,
    foreign_bodies,
    foreign_value,
    own_arguments,
    readable,
    send,
)
from tests.scope.world import ScopeWorld

NUL = "\x00"
PAGES = [route for route in r.checked_routes() if not route.pattern.startswith("api/")]


@pytest.fixture
def world(scope_world) -> ScopeWorld:  # noqa: F811 (the imported fixture, requested)
    """The scope world seen from Điện Biên: its officer, for whom Điện Biên's objects are their own."""
    return dataclasses.replace(scope_world, requester=User.objects.get(username="dien-bien-officer"))


@pytest.fixture
def client(world) -> APIClient:
    client = APIClient()
    client.force_login(world.requester)
    return client


def with_nul(value):
    """The value with a NUL after every text in it (a number is sent as its text; an empty map or
    list gets an entry that is one)."""
    if isinstance(value, dict):
        return {key: with_nul(item) for key, item in value.items()} or {NUL: NUL}
    if isinstance(value, list | tuple):
        return [with_nul(item) for item in value] or [NUL]
    return f"{'' if value is None else value}{NUL}"


def message_for(named: str | None) -> str:
    """The refusal's message, in the language the test client's requests get."""
    with translation.override(settings.LANGUAGE_CODE):
        return null_characters.field_message(named) if named else null_characters.path_message()


def refusal(client, method: str, url: str, named: str | None, body=None, **query) -> list[str]:
    """Sends a request carrying a NUL; the problems with its answer: anything but a 400 that names
    the field ``named`` (None: the path) on the page, or under that key in the API's answer."""
    sent = f"{method.upper()} {url} {query or body or ''}"
    try:
        response = send(client, method, url, body, **query)
    except Exception as error:  # the test client re-raises what a view raised: that is a 500
        return [f"{sent}: raised {error!r}"]
    if response.status_code != 400:
        return [f"{sent}: {response.status_code}, expected 400"]
    if url.startswith("/api/"):
        if (named or "detail") not in response.json():
            return [f"{sent}: 400 without {named or 'detail'!r}: {response.json()}"]
    elif escape(message_for(named)) not in readable(response):
        return [f"{sent}: 400 without “{message_for(named)}”"]
    return []


def form_fields(client, url: str) -> set[str]:
    """The fields of the forms a page shows (none when it does not show, for this user)."""
    response = send(client, "get", url)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return set()  # a file, or a page this user may not open
    return set(re.findall(r'name="([\w-]+)"', readable(response))) - {"csrfmiddlewaretoken"}


def form_body(fields, world: ScopeWorld) -> dict[str, str]:
    """Plausible values for every field: a date where a date goes, else the officer's own unit's code."""
    code = world.foreign_unit.code
    return {name: DATE if name.endswith(("_on", "date", "at")) else code for name in fields}


def path_with_nul(route: r.Route, arguments: dict) -> str | None:
    """The route's path with a NUL after each argument, or None when the resolver would not take one
    (an integer argument: that request ends in a 404 before any view runs)."""
    try:
        return route.url({name: f"{value}{NUL}" for name, value in arguments.items()})
    except Resolver404:
        return None


def page_problems(client, world: ScopeWorld, route: r.Route, url: str) -> list[str]:
    """A NUL in each query parameter the page knows (its form's fields and the common filters), then in
    each field of its form, posted with every other field filled."""
    fields = form_fields(client, url) if "get" in route.methods else set()
    problems = []
    if "get" in route.methods:
        for name in sorted(fields | set(COMMON_FILTERS)):
            problems += refusal(client, "get", url, name, **{name: f"{world.foreign_unit.code}{NUL}"})
    body = form_body(fields or COMMON_FILTERS, world)
    for method in (m for m in route.methods if m != "get"):
        for name in sorted(body):
            problems += refusal(client, method, url, name, {**body, name: f"{body[name]}{NUL}"})
    return problems


# ------------------------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("route", [route for route in PAGES if not route.object_arguments], ids=str)
def test_page_refuses_a_nul_in_its_query_and_form(route, world, client):
    problems = page_problems(client, world, route, route.url({}))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", [route for route in PAGES if route.object_arguments], ids=str)
def test_object_page_refuses_a_nul_in_its_path_query_and_form(route, world, client):
    argument_sets = foreign_arguments(route, world)  # Điện Biên's objects: the officer's own
    assert argument_sets, f"no object fits the arguments {route.object_arguments} of {route.name}"
    problems = []
    if path := path_with_nul(route, argument_sets[0]):
        for method in route.methods:
            problems += refusal(client, method, path, None)
    # The forms of the first object whose page the officer may open (pages differ by object kind).
    for arguments in argument_sets:
        url = route.url(arguments)
        if send(client, "get", url).status_code == 200 or "get" not in route.methods:
            problems += page_problems(client, world, route, url)
            break
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------- the API


def path_arguments(operation: r.Operation, world: ScopeWorld, client) -> dict:
    """Path parameters naming an object of the officer's: of the view's model when it has one, else
    the first object of any kind whose GET the view answers."""
    if not operation.path_parameters:
        return {}
    route = r.route_of(operation)
    if getattr(route.view_class, "queryset", None) is not None:
        return own_arguments(operation, world)
    candidates = [
        dict(zip(operation.path_parameters, arguments.values(), strict=True))
        for arguments in foreign_arguments(route, world)
    ]  # Điện Biên's: the officer's own
    return next(
        (
            arguments
            for arguments in candidates
            if send(client, "get", fill(operation.path, arguments)).status_code == 200
        ),
        candidates[0],
    )


def fill(path: str, arguments: dict) -> str:
    for name, value in arguments.items():
        path = path.replace("{" + name + "}", str(value))
    return path


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_api_operation_refuses_a_nul_in_its_path_query_and_body(operation, world, client):
    arguments = path_arguments(operation, world, client)
    path = fill(operation.path, arguments)
    path_nul = fill(operation.path, {name: f"{value}{NUL}" for name, value in arguments.items()})
    problems = []
    if arguments:
        problems += refusal(client, operation.method, path_nul, None)
    if operation.method == "get":
        for parameter in operation.query_parameters:
            name = parameter["name"]
            value = foreign_value(operation, parameter.get("schema", {}), name, world)
            problems += refusal(client, "get", path, name, **{name: with_nul(value)})
    else:
        tried = set()
        for body in foreign_bodies(operation, world):
            for name in body.keys() - tried:
                tried.add(name)
                problems += refusal(
                    client, operation.method, path, name, {**body, name: with_nul(body[name])}
                )
    assert not problems, "\n".join(problems)


def test_a_nul_deep_in_a_json_body_names_its_place(world, client):
    body = {"unit": world.own_unit.code, "members": [{"member": "ok"}, {"member": f"DB{NUL}"}]}
    response = client.post("/api/card-requests/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["members"] and "members[1].member" in response.json()["members"][0]


def test_an_escaped_backslash_before_u0000_is_no_nul(world, client):
    """The text ``\\u0000`` (a backslash, then "u0000") holds no NUL: the request goes on to its view."""
    response = client.post("/api/card-requests/", {"unit": "\\u0000"}, format="json")
    assert response.status_code == 400 and message_for("unit") not in response.json()["unit"]


# ------------------------------------------------------------------------------------- file uploads


def workbook_with_nul_bytes() -> bytes:
    """An .xlsx file (a zip): its compressed parts hold NUL bytes, as nearly every real one does."""
    book = openpyxl.Workbook()
    book.active.append(["Họ và tên", "Ngày sinh"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert b"\x00" in buffer.getvalue()
    return buffer.getvalue()


@pytest.mark.parametrize("url", ["/members/imports/", "/api/member-imports/"])
def test_an_upload_with_nul_bytes_goes_through_but_not_a_nul_in_a_field(url, world, client):
    upload = io.BytesIO(workbook_with_nul_bytes())
    upload.name = "danh-sach.xlsx"
    fields = {"unit": world.foreign_unit.code, "mode": "add", "file": upload}
    response = client.post(url, fields, format="multipart")
    assert response.status_code in (201, 302), readable(response)  # the view took the upload
    upload.seek(0)
    response = client.post(url, {**fields, "unit": f"{world.foreign_unit.code}{NUL}"}, format="multipart")
    assert response.status_code == 400
    assert "unit" in response.json() if url.startswith("/api/") else message_for("unit") in readable(response)
