"""The Vietnamese catalogue: complete, compiled as committed, in step with the code, placeholders intact,
and in force where users meet it (service refusals, pages, Django's and DRF's own messages).

Refresh it with `make messages`; test_catalogue_covers_the_code says which strings are new.
"""

import datetime
import re
import shutil
from collections import Counter
from pathlib import Path

import django
import polib
import pytest
import rest_framework
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

import congdoan
from congdoan.accounts.models import User
from congdoan.units import services
from tests.factories import decision

PACKAGE = Path(congdoan.__file__).resolve().parent
MESSAGES = PACKAGE / "locale" / "vi" / "LC_MESSAGES"
PO_PATH = MESSAGES / "django.po"
MO_PATH = MESSAGES / "django.mo"
DJANGO = Path(django.__file__).resolve().parent
DRF = Path(rest_framework.__file__).resolve().parent
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge")

PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxX%]")
BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def key(entry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def where(entry) -> str:
    return ", ".join(sorted({path for path, _ in entry.occurrences})) or "?"


def translations_of(entry) -> list[str]:
    return (
        [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        if entry.msgid_plural
        else [entry.msgstr]
    )


# ------------------------------------------------------------------------------------------- the files


def test_header_says_vietnamese_with_one_plural_form(catalogue):
    assert catalogue.metadata["Language"] == "vi"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert catalogue.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not catalogue.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    assert len(catalogue) > 500  # the whole UI, not a stub
    untranslated = [
        f"{entry.msgid!r} ({where(entry)})"
        for entry in catalogue
        if not all(text.strip() for text in translations_of(entry))
    ]
    fuzzy = [f"{entry.msgid!r} ({where(entry)})" for entry in catalogue if "fuzzy" in entry.flags]
    obsolete = [entry.msgid for entry in catalogue.obsolete_entries()]
    assert not untranslated, "untranslated in django.po:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy (a guess by msgmerge: check the text, then drop the flag):\n" + "\n".join(fuzzy)
    assert not obsolete, f"obsolete entries (run `make messages`): {obsolete}"


def test_plural_entries_have_exactly_one_form(catalogue):
    wrong = [entry.msgid for entry in catalogue if entry.msgid_plural and sorted(entry.msgstr_plural) != [0]]
    assert not wrong


def test_compiled_catalogue_matches_the_po(catalogue):
    """A fresh machine without gettext reads the committed .mo: it must hold exactly what the .po says."""
    compiled = polib.mofile(str(MO_PATH))
    in_mo = {key(entry): translations_of(entry) for entry in compiled if entry.msgid}
    in_po = {key(entry): translations_of(entry) for entry in catalogue}
    stale = sorted((k for k in in_po if in_mo.get(k) != in_po[k]), key=str)
    extra = sorted((k for k in in_mo if k not in in_po), key=str)
    assert not stale, f"django.mo differs from django.po (run `make messages`): {stale[:10]}"
    assert not extra, f"django.mo holds entries the .po lacks: {extra[:10]}"
    assert compiled.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_catalogue_covers_the_code(tmp_path, monkeypatch, catalogue):
    """makemessages over a copy of the package finds no string that the committed catalogue lacks."""
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(
            f"GNU gettext is not installed ({', '.join(missing_tools)} missing): apt-get install gettext"
        )
    copy = tmp_path / "congdoan"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "*.pyc", "*.mo")
    )
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
        call_command("makemessages", locale=["vi"], no_obsolete=True, verbosity=0)
    fresh = polib.pofile(str(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    assert len(fresh) > 500
    known = {key(entry) for entry in catalogue}
    missing = [
        f"{entry.msgid!r}{f' (context {entry.msgctxt!r})' if entry.msgctxt else ''} in {where(entry)}"
        for entry in fresh
        if key(entry) not in known
    ]
    assert not missing, (
        f"{len(missing)} strings of the code are not in the vi catalogue; run `make messages`, translate "
        "them in src/congdoan/locale/vi/LC_MESSAGES/django.po, and run it again:\n" + "\n".join(missing)
    )


# ------------------------------------------------------------------------------------- the translations


def _placeholders(text: str, brace: bool) -> tuple[frozenset, tuple]:
    """Named placeholders may repeat or move; positional ones (%s, %d, {}) must keep count and order."""
    found = PERCENT_PLACEHOLDER.findall(text) + (BRACE_PLACEHOLDER.findall(text) if brace else [])
    named = frozenset(p for p in found if p.startswith("%(") or (p.startswith("{") and p != "{}"))
    return named, tuple(p for p in found if p not in named)


def test_placeholders_and_tags_survive_translation(catalogue):
    wrong = []
    for entry in catalogue:
        brace = "python-brace-format" in entry.flags
        source = entry.msgid_plural or entry.msgid
        for text in translations_of(entry):
            if _placeholders(text, brace) != _placeholders(source, brace):
                wrong.append(f"{entry.msgid!r}: placeholders differ in {text!r}")
            if Counter(HTML_TAG.findall(text)) != Counter(HTML_TAG.findall(source)):
                wrong.append(f"{entry.msgid!r}: HTML tags differ in {text!r}")
    assert not wrong, "\n".join(wrong)


def test_translations_are_vietnamese_not_copies(catalogue):
    """Only codes, names and symbols may stay as they are (a forgotten copy-paste fails here)."""
    same_allowed = {"PDF", "Menu"}
    copies = [
        entry.msgid
        for entry in catalogue
        if entry.msgstr == entry.msgid
        and entry.msgid not in same_allowed
        and re.search(r"[a-z]{3}", entry.msgid)
    ]
    assert not copies, f"left in English: {copies}"


def texts_of(upstream_catalogue) -> set[str]:
    return {text for entry in upstream_catalogue for text in (entry.msgid, entry.msgid_plural) if text}


def test_upstream_messages_are_named_exactly_as_upstream(catalogue):
    """core/django_messages.py and core/api_messages.py repeat Django's and DRF's texts so that ours
    translates them: a text that is not upstream's (a typo, a rewording in an upgrade) translates nothing."""
    django_ids = set()
    for path in [
        DJANGO / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
        *(DJANGO / "contrib").glob("*/locale/en/LC_MESSAGES/django.po"),
    ]:
        django_ids |= texts_of(polib.pofile(str(path)))
    drf_ids = texts_of(polib.mofile(str(DRF / "locale" / "en" / "LC_MESSAGES" / "django.mo")))
    upstream = {"core/django_messages.py": django_ids, "core/api_messages.py": drf_ids}
    checked = Counter()
    unknown = []
    for entry in catalogue:
        for path, _line in entry.occurrences:
            if path in upstream:
                checked[path] += 1
                unknown += [
                    f"{path}: {msgid!r}"
                    for msgid in (entry.msgid, entry.msgid_plural)
                    if msgid and msgid not in upstream[path]
                ]
    assert checked["core/django_messages.py"] > 10 and checked["core/api_messages.py"] > 30
    assert not unknown, "not upstream's text:\n" + "\n".join(unknown)


# --------------------------------------------------------------------------------- where users meet it


def test_default_language_is_vietnamese(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert translation.get_language() == "vi"


def test_service_refusal_comes_out_in_vietnamese(small_tree):
    t = small_tree
    on = datetime.date(2025, 7, 1)
    with pytest.raises(ValidationError) as error:  # the province under one of its own districts
        services.move_units(units=[t["kg"]], new_parent=t["rg"], effective_on=on, decision=decision(on))
    text = " ".join(error.value.messages)
    assert "không thể" in text.lower()
    assert "cannot" not in text


def test_login_page_is_in_vietnamese(db):
    client = Client()
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Log in" not in page
    refused = client.post(reverse("accounts:login"), {"username": "", "password": ""}).content.decode()
    assert "Trường này là bắt buộc." in refused  # Django's own message, from Django's catalogue


def test_djangos_own_messages_are_vietnamese(db):
    with pytest.raises(ValidationError) as error:
        forms.IntegerField(max_value=5).clean("9")
    assert error.value.messages == ["Giá trị phải nhỏ hơn hoặc bằng 5."]  # ours: Django's has stray spaces
    with pytest.raises(ValidationError) as error:
        forms.CharField().clean("a\x00b")
    assert error.value.messages == ["Không được dùng ký tự rỗng (NUL)."]  # new in Django, missing from its vi
    with pytest.raises(ValidationError) as error:
        forms.DateField().clean("31/02/2025")
    assert error.value.messages == ["Nhập một ngày hợp lệ."]  # Django's own vi catalogue


def test_password_rules_are_vietnamese(db):
    """Django 5.2 reworded "This password is too short…": its vi catalogue lacks the new text, ours has it."""
    with pytest.raises(ValidationError) as error:
        password_validation.validate_password("abc", User(username="nguyenvana"))
    messages = error.value.messages
    assert "Mật khẩu này quá ngắn: cần có ít nhất 10 ký tự." in messages
    assert not [message for message in messages if "password" in message.lower()]


def test_api_answers_in_vietnamese(db):
    response = Client().get("/api/units/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Chưa cung cấp thông tin xác thực."
