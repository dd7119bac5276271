"""Vietnamese text: diacritic folding for search, and letter order for sorting."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Tone marks in ICU's Vietnamese order (none first); other combining marks change the letter itself.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
_ALPHABET = [
    "a", "a\u0306", "a\u0302", "b", "c", "d", "đ", "e", "e\u0302", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "o\u0302", "o\u031b", "p", "q", "r", "s", "t", "u", "u\u031b", "v", "w", "x", "y", "z",
]
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}


def normalize(text: str) -> str:
    """NFC, trimmed, inner white space collapsed: how every name is stored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def fold(text: str) -> str:
    """Lower-case ASCII form for search: "Liên đoàn Lao động" -> "lien doan lao dong"."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def _letters(text: str):
    """Yield (letter, tone, is_upper) for each character, letter being a base plus its own marks."""
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        letter = base.lower() + "".join(m for m in marks if m in _LETTER_MARKS)
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        yield letter, tone, base.isupper()


def sort_key(text: str) -> tuple:
    """Vietnamese order: letters first (a < ă < â < b … d < đ), then tones, then case, like ICU's ``vi``."""
    letters = list(_letters(text or ""))
    primary = tuple((0, _RANK[letter]) if letter in _RANK else (1, ord(letter[0])) for letter, _, _ in letters)
    return (primary, tuple(tone for _, tone, _ in letters), tuple(upper for _, _, upper in letters))


def compare(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)
