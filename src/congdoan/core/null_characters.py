"""A request carrying a NUL character (``\\x00``) is refused at the door with a 400 naming where it was.

No text the project keeps or looks up may hold a NUL: PostgreSQL refuses one in any string ("A string
literal cannot contain NUL (0x00) characters"), and a request reaching the database with one ended in a
500. Forms and serializers refuse a NUL in their own text fields, but every lookup on the way (a unit
picked by code, a list filter, a related field, a path parameter) sends the value to the database
first. No valid input contains a NUL, so the middleware refuses it once, before any view, form, filter
or serializer runs: none of them has to remember it, and new routes are covered without a line.

It reads the path, the query string, form fields (of a POST, and of the API's PUT and PATCH, multipart
ones included), JSON bodies, cookies and the other headers, not uploaded files: an .xlsx holds NUL bytes
legitimately (and Django keeps only the printable characters of a file's name). A cookie or header reaches
the database too (the session cookie is looked up, a forwarded address is stored with a failed login). A
page gets a page with the messages; the API its error format, ``{"field": ["message"]}``, or
``{"detail": …}`` for the path, a cookie or a header.

Reading the body here is also where a body over Django's limits (``DATA_UPLOAD_MAX_MEMORY_SIZE``, the
number of fields or files) is found: it is refused here too, in the same two formats, saying the limit.
"""

import json
import re

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings

NUL = "\x00"
API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def field_message(field: str) -> str:
    return _("“%(field)s” contains a null character, which is not allowed.") % {"field": shown(field)}


def path_message() -> str:
    return _("The address contains a null character, which is not allowed.")


def header_message(header: str) -> str:
    return _("The header “%(header)s” contains a null character, which is not allowed.") % {
        "header": shown(header)
    }


def cookie_message(cookie: str) -> str:
    return _("The cookie “%(cookie)s” contains a null character, which is not allowed.") % {
        "cookie": shown(cookie)
    }


def body_message() -> str:
    return _("The request contains a null character, which is not allowed.")


def too_large_message(error: Exception) -> str:
    if isinstance(error, RequestDataTooBig):
        return _(
            "The request is larger than the %(size)s MB the server accepts outside of uploaded files; "
            "send less at a time."
        ) % {"size": number_format(megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))}
    if isinstance(error, TooManyFilesSent):
        return _("The request sends more than %(n)s files; send fewer at a time.") % {
            "n": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FILES)
        }
    return _("The request sends more than %(n)s fields; send fewer at a time.") % {
        "n": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
    }


def megabytes(size: int) -> int | float:
    """A size in MB as people write it: 2.5 MB, 1 MB (not 1.0)."""
    return int(size / 2**20) if size % 2**20 == 0 else round(size / 2**20, 1)


def shown(name: str) -> str:
    """A field name fit to show: a NUL in the name itself is left out."""
    return name.replace(NUL, "")


def in_query_dict(data: QueryDict) -> dict[str, list[str]]:
    """The fields of a query string or form holding a NUL, in their name or any of their values."""
    return {
        shown(name): [field_message(name)]
        for name, values in data.lists()
        if NUL in name or any(NUL in value for value in values)
    }


def json_paths(value, path: str = ""):
    """The place of every NUL in a parsed JSON value: ``members[0].member``, ``unit``."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            yield from [inner] if NUL in key else json_paths(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_paths(item, f"{path}[{index}]")


def in_json(body: bytes, encoding: str) -> dict[str, list[str]]:
    """The top-level fields of a JSON body holding a NUL, each with a message naming the exact place."""
    if b"\\u0000" not in body:  # JSON can only carry a NUL escaped; most bodies stop here, unparsed
        return {}
    try:
        data = json.loads(body.decode(encoding))
    except ValueError:
        return {}  # the API's parser answers malformed JSON with its own 400
    found: dict[str, list[str]] = {}
    for path in json_paths(data):
        top = shown(re.split(r"[.[]", path, maxsplit=1)[0])
        message = field_message(path) if path else body_message()
        found.setdefault(top or api_settings.NON_FIELD_ERRORS_KEY, []).append(message)
    return found


def body_fields(request) -> dict[str, list[str]]:
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        return in_json(request.body, request.encoding or "utf-8")
    if content_type not in FORM_TYPES:
        return {}
    if request.method == "POST":  # Django parses the forms of a POST only (and drops a NUL from file names)
        return in_query_dict(request.POST)
    if content_type == FORM_TYPES[0]:  # a PUT or PATCH form, read as the API's form parser would
        return in_query_dict(QueryDict(request.body, encoding=request.encoding))
    # A multipart PUT or PATCH: parsed here as Django parses a POST's (files streamed to the upload
    # handlers, never the whole body in memory) and kept on the request, where DRF takes the parsed form
    # once it finds the stream read.
    try:
        request._post, request._files = request.parse_file_upload(request.META, request)
    except MultiPartParserError:
        request._mark_post_parse_error()  # as Django does: the view finds an empty form and says so
        return {}
    return in_query_dict(request._post)


def in_cookies(request) -> list[str]:
    return [cookie_message(name) for name, value in request.COOKIES.items() if NUL in name or NUL in value]


def in_headers(request) -> list[str]:
    """The headers holding a NUL (the cookies' own header is read cookie by cookie), named as sent."""
    return [
        header_message(key.removeprefix("HTTP_").replace("_", "-").title())
        for key, value in request.META.items()
        if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"))
        and key != "HTTP_COOKIE"
        and isinstance(value, str)
        and NUL in value
    ]


class RefuseNullCharactersMiddleware:
    """Answers 400 to a request with a NUL in its path, query, form fields or JSON body (see module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            return self.refuse(request, {"detail": path_message()}, [path_message()])
        if cookies := in_cookies(request):
            if NUL in request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""):
                # A session key with a NUL is not looked up: the refusal page is shown to no one (and
                # the cookie, found empty, is deleted).
                request.session = SessionBase()
            return self.refuse(request, {"detail": cookies}, cookies)
        if headers := in_headers(request):
            return self.refuse(request, {"detail": headers}, headers)
        try:
            fields = {**in_query_dict(request.GET), **body_fields(request)}
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as error:
            message = too_large_message(error)
            return self.refuse(request, {"detail": message}, [message])
        if fields:
            messages = [message for field_messages in fields.values() for message in field_messages]
            return self.refuse(request, fields, messages)
        return self.get_response(request)

    @staticmethod
    def refuse(request, api_detail: dict, messages: list[str]):
        if request.path.startswith(API_PREFIX):
            return JsonResponse(api_detail, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "bad_request.html", {"problems": messages}, status=400)
