"""Vietnamese text: diacritic folding for search, and letter order for sorting."""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Tone marks in ICU's Vietnamese order (none first); other combining marks change the letter itself.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
_ALPHABET = [
    "a",
    "a\u0306",
    "a\u0302",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "e\u0302",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "o\u0302",
    "o\u031b",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "u\u031b",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}


def normalize(text: str) -> str:
    """NFC, trimmed, inner white space collapsed: how every name is stored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


# Đ and đ, and the Icelandic Ð (U+00D0) and ð that old fonts and keyboards put in their place: a name
# typed with the lookalike is found, sorted and matched as the one typed right.
_D_STROKE = str.maketrans({"Đ": "D", "đ": "d", "Ð": "D", "ð": "d"})
_LOOKALIKES = {"ð": "đ"}


def fold(text: str) -> str:
    """Lower-case ASCII form for search: "Liên đoàn Lao động" -> "lien doan lao dong"."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_D_STROKE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def _letters(text: str):
    """Yield (letter, tone, is_upper) for each character, letter being a base plus its own marks."""
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        lower = base.lower()
        letter = _LOOKALIKES.get(lower, lower) + "".join(m for m in marks if m in _LETTER_MARKS)
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        yield letter, tone, base.isupper()


def sort_key(text: str) -> str:
    """Vietnamese order (a < ă < â < b … d < đ, tones after letters, then case), like ICU's ``vi``."""
    return collation_key(normalize(text).split())


def compare(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def collation_key(words: list[str]) -> str:
    """A digits-only key whose plain (binary or any locale) order is Vietnamese order of ``words``.

    Each character becomes a three-digit rank (punctuation 002, digits 010–019, letters from 100 in
    Vietnamese alphabet order, anything else 900); words are separated by 001 and the letters end with 000,
    so a shorter word sorts first whatever its tones. Tones (0–5) and case (0/1) follow, one digit a letter,
    deciding only between names with the same letters. Digits compare alike in every collation, so SQLite
    and PostgreSQL order a stored key the same way, from an ordinary index.
    """
    keys = [_word_key(word) for word in words]
    return (
        "001".join(ranks for ranks, _tones, _cases in keys)
        + "000"
        + "".join(tones for _ranks, tones, _cases in keys)
        + "".join(cases for _ranks, _tones, cases in keys)
    )


@functools.lru_cache(maxsize=8192)  # names are made of a few thousand words: a list's keys cost little
def _word_key(word: str) -> tuple[str, str, str]:
    """A word's part of ``collation_key``: its letters' ranks, tones and cases."""
    ranks, tones, cases = [], [], []
    for letter, tone, upper in _letters(word):
        if letter in _RANK:
            ranks.append(f"{100 + _RANK[letter]:03d}")
        elif letter.isdigit():
            ranks.append(f"{10 + int(letter) if letter.isascii() else 19:03d}")
        else:
            ranks.append("900" if letter.isalpha() else "002")
        tones.append(str(tone))
        cases.append("1" if upper else "0")
    return "".join(ranks), "".join(tones), "".join(cases)


def person_collation_key(full_name: str) -> str:
    """Vietnamese order of people: given name, then middle names, then family name, each word compared
    whole (its letters, then its tones) before the next, as a list sorted by the name columns in turn is:
    every Hương before any Hường, whatever their family names. Case decides last.

    Each word is 1, its letters' ranks, 000 and its tones; the name ends with 0 and the words' cases. Two
    names alike up to a word's end go on alike in length, so the 1 of a further word meets the 0 of a
    name that has none: the shorter name first."""
    words = normalize(full_name).split()
    keys = [_word_key(word) for word in (words[-1:] + words[1:-1] + words[:1] if len(words) > 1 else words)]
    return (
        "".join(f"1{ranks}000{tones}" for ranks, tones, _cases in keys)
        + "0"
        + "".join(cases for _ranks, _tones, cases in keys)
    )
