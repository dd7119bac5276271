"""Every route of the project, found by walking the URL resolver, and every operation of the API schema.

Nothing here lists routes by hand: a route added anywhere, in any namespace, is walked. Only ``PUBLIC``
names the few that are meant to be reached without scope, each with its reason.
"""

import dataclasses
import re
from functools import cached_property

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

# Routes that serve no object of any unit, by name (or by pattern when unnamed), and why.
PUBLIC = {
    "<root>": "redirects to the tree page, whose own route is walked",
    "accounts:login": "the login page, for people not yet logged in",
    "accounts:logout": "ends the session; it shows nothing",
    "set_language": "switches the interface language",
    "api-schema": "the OpenAPI description of the API: routes and fields, no data",
    "api-docs": "the Swagger UI page that reads that description",
    "accounts-api:token": "exchanges a user name and password for a token; it shows no data",
}

# Route arguments that name no object, with a value to call them with. An argument that is neither an
# object key (below) nor listed here fails the walk until someone says what it is.
SAMPLE_ARGUMENTS: dict[str, str] = {}

OBJECT_ARGUMENTS = re.compile(r"^(pk|id|code|ref|object_id|content_type_id|.+_(pk|id|code|ref))$")
UNSAFE_METHODS = ("post", "put", "patch", "delete")


@dataclasses.dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, prefixes joined: "api/^units/(?P<code>…)/$"
    name: str  # "namespace:name", or "<root>"/the pattern when unnamed
    callback: object
    arguments: tuple[str, ...]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def methods(self) -> list[str]:
        """The methods it answers: a viewset's action map, a class's handlers, or both for a function."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return sorted(actions)
        if self.view_class is not None:
            return [m for m in ("get", *UNSAFE_METHODS) if hasattr(self.view_class, m)]
        return ["get", "post"]

    @property
    def object_arguments(self) -> tuple[str, ...]:
        return tuple(a for a in self.arguments if OBJECT_ARGUMENTS.match(a))

    @property
    def unknown_arguments(self) -> tuple[str, ...]:
        return tuple(a for a in self.arguments if not OBJECT_ARGUMENTS.match(a) and a not in SAMPLE_ARGUMENTS)

    def url(self, arguments: dict[str, object]) -> str:
        """The path with ``arguments`` put in, checked to resolve back to this route."""
        values = {**SAMPLE_ARGUMENTS, **{k: str(v) for k, v in arguments.items()}}
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], self.pattern)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)
        path = "/" + path.replace("^", "").replace("$", "").replace("\\", "")
        match = resolve(path)
        assert match.func is self.callback, f"{path} resolves to {match.view_name}, not {self.name}"
        return path


def _pattern_text(pattern) -> str:
    if isinstance(pattern, RoutePattern | RegexPattern):
        return str(pattern)
    raise TypeError(f"unknown URL pattern kind {type(pattern).__name__}")


def _arguments(text: str) -> tuple[str, ...]:
    return tuple(a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", text))


def all_routes() -> list[Route]:
    """Every URL pattern of the project, through every include and namespace."""
    found = []

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for entry in resolver.url_patterns:
            text = prefix + _pattern_text(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, text, namespaces + ((entry.namespace,) if entry.namespace else ()))
            elif isinstance(entry, URLPattern):
                name = ":".join((*namespaces, entry.name)) if entry.name else (text or "<root>")
                found.append(
                    Route(pattern=text, name=name, callback=entry.callback, arguments=_arguments(text))
                )

    walk(get_resolver(), "", ())
    return found


def checked_routes() -> list[Route]:
    return [route for route in all_routes() if route.name not in PUBLIC]


def object_routes() -> list[Route]:
    return [route for route in checked_routes() if route.object_arguments]


def list_routes() -> list[Route]:
    return [route for route in checked_routes() if not route.object_arguments]


# ------------------------------------------------------------------------------------- API operations


@dataclasses.dataclass(frozen=True)
class Operation:
    path: str  # "/api/units/{code}/move/"
    method: str
    spec: dict
    components: dict

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def query_parameters(self) -> list[dict]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == "query"]

    def request_schema(self) -> dict | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        media = content.get("application/json")
        return self.resolve(media["schema"]) if media else None

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[1]]
        return schema


def api_operations() -> list[Operation]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    return [
        Operation(path=path, method=method, spec=spec, components=components)
        for path, item in schema["paths"].items()
        for method, spec in item.items()
        if method in ("get", *UNSAFE_METHODS)
    ]


def route_of(operation: Operation) -> Route:
    """The route that serves an operation (its path, with every parameter set to a probe value)."""
    path = re.sub(r"{\w+}", "1", operation.path)
    callback = resolve(path).func
    return next(route for route in all_routes() if route.callback is callback)
