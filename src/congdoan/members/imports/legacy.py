"""Vietnamese text typed in the legacy encodings TCVN3 (ABC, .VnTime fonts) and VNI (VNI-Times fonts).

Lists kept since the 1990s still carry text in these byte encodings. Opened in Excel they show as
Latin-1 letters: "NguyÔn V¨n An" (TCVN3) or "Nguyeãn Vaên An" (VNI) for "Nguyễn Văn An". Both are
detected by asking which reading yields more real Vietnamese syllables, and converted. The tables below
are written out from the encodings' definitions; toned letters are built from Unicode combining marks.
"""

import re
import unicodedata

# Tone marks in the order the tables below list them: huyền, sắc, hỏi, ngã, nặng.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_TONE_ORDER = (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)
_TONES = set(_TONE_ORDER)


def _toned(letter: str, tone: str) -> str:
    return unicodedata.normalize("NFC", letter + tone)


# TCVN3 (TCVN 5712:1993, VN3): one byte a lower-case letter. Each row gives, for a letter, the byte of
# the letter itself (when it is not plain ASCII) and then its five toned forms.
_TCVN3_ROWS = {
    "a": ("", "µ¸¶·¹"),  # noqa: RUF001
    "ă": ("¨", "»¾¼½Æ"),
    "â": ("©", "ÇÊÈÉË"),
    "e": ("", "ÌÐÎÏÑ"),
    "ê": ("ª", "ÒÕÓÔÖ"),
    "i": ("", "×ÝØÜÞ"),  # noqa: RUF001
    "o": ("", "ßãáâä"),
    "ô": ("«", "åèæçé"),
    "ơ": ("¬", "êíëìî"),
    "u": ("", "ïóñòô"),
    "ư": ("\xad", "õøö÷ù"),
    "y": ("", "úýûüþ"),
}
TCVN3 = {"®": "đ", "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư"}
for _letter, (_own, _toned_bytes) in _TCVN3_ROWS.items():
    if _own:
        TCVN3[_own] = _letter
    for _tone, _char in zip(_TONE_ORDER, _toned_bytes, strict=True):
        TCVN3[_char] = _toned(_letter, _tone)

# VNI for Windows: a base letter followed by mark bytes. Tones after a, e, o, u, y, ơ, ư:
# sắc ù, huyền ø, hỏi û, ngã õ, nặng ï. Circumflex â ê ô: â, then á à å ã ä with a tone. Breve ă: ê, then
# é è ú ü ë. Own letters: ô = ơ, ö = ư, ñ = đ, and i's tones í ì æ ó ò, ỵ = î. Capitals use the capital bytes.
_VNI_TONES = {_ACUTE: "ù", _GRAVE: "ø", _HOOK: "û", _TILDE: "õ", _DOT: "ï"}
_VNI_CIRCUMFLEX = {"": "â", _ACUTE: "á", _GRAVE: "à", _HOOK: "å", _TILDE: "ã", _DOT: "ä"}
_VNI_BREVE = {"": "ê", _ACUTE: "é", _GRAVE: "è", _HOOK: "ú", _TILDE: "ü", _DOT: "ë"}
_VNI_I = {_ACUTE: "í", _GRAVE: "ì", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for upper in (False, True):
        case = str.upper if upper else str.lower

        def add(sequence: str, letter: str) -> None:
            table[case(sequence)] = case(letter)  # noqa: B023  (called at once, inside the loop)

        for base in "aeouy":
            for tone, mark in _VNI_TONES.items():
                if not (base == "y" and tone == _DOT):
                    add(base + mark, _toned(base, tone))
        add("î", _toned("y", _DOT))
        for base, letter in (("a", "â"), ("e", "ê"), ("o", "ô")):
            for tone, mark in _VNI_CIRCUMFLEX.items():
                add(base + mark, _toned(letter, tone))
        for tone, mark in _VNI_BREVE.items():
            add("a" + mark, _toned("ă", tone))
        for own, letter in (("ô", "ơ"), ("ö", "ư")):
            add(own, letter)
            for tone, mark in _VNI_TONES.items():
                add(own + mark, _toned(letter, tone))
        for tone, mark in _VNI_I.items():
            add(mark, _toned("i", tone))
        add("ñ", "đ")
    return table


VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(re.escape(key) for key in sorted(VNI, key=len, reverse=True)))
_TCVN3_TRANSLATION = str.maketrans(TCVN3)


def from_tcvn3(text: str) -> str:
    return text.translate(_TCVN3_TRANSLATION)


def from_vni(text: str) -> str:
    return _VNI_PATTERN.sub(lambda match: VNI[match.group()], text)


CONVERTERS = {"tcvn3": from_tcvn3, "vni": from_vni}

# ------------------------------------------------------------------------------- telling them apart

_VOWELS = "aăâeêioôơuưy"
_NUCLEI = {
    *_VOWELS,
    "ai",
    "ao",
    "au",
    "ay",
    "âu",
    "ây",
    "eo",
    "êu",
    "ia",
    "iê",
    "iu",
    "oa",
    "oă",
    "oe",
    "oi",
    "oo",
    "ôi",
    "ơi",
    "ua",
    "uâ",
    "uê",
    "ui",
    "uô",
    "uơ",
    "uy",
    "ưa",
    "ưi",
    "ươ",
    "ưu",
    "yê",
    "iêu",
    "oai",
    "oao",
    "oay",
    "oeo",
    "uây",
    "uôi",
    "uya",
    "uyê",
    "uyu",
    "ươi",
    "ươu",
    "yêu",
}
_SYLLABLE = re.compile(
    rf"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?([{_VOWELS}]+)(?:ch|ng|nh|[cmnpt])?$"
)
_WORD = re.compile(r"[^\W\d_]+")


def is_syllable(word: str) -> bool:
    """Whether a lower-case word has the shape of a Vietnamese syllable (one tone, a known vowel cluster)."""
    decomposed = unicodedata.normalize("NFD", word)
    if sum(ch in _TONES for ch in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    match = _SYLLABLE.match(bare)
    return bool(match) and match.group(1) in _NUCLEI


def syllable_score(text: str) -> int:
    """How many words of ``text`` are Vietnamese syllables."""
    return sum(is_syllable(word) for word in _WORD.findall(unicodedata.normalize("NFC", text).lower()))


def may_be_legacy(text: str) -> bool:
    """Legacy text holds letters beyond ASCII, all of them within Latin-1 (as Excel shows such bytes)."""
    return not text.isascii() and max(text) <= "\xff"


def looks_garbled(text: str) -> bool:
    """Whether Latin-1 letters stand where no word of a Latin-script language has them: a symbol (¶, «, ¬),
    a capital after a small letter ("NguyÔn"), two of them running ("NguÙêên"). Foreign workers' names
    ("José García", "Jürgen Müller") have none of these, and are not legacy text however few syllables
    they make."""
    previous = ""
    for char in text:
        if char > "\x7f" and (
            not char.isalpha() or previous > "\x7f" or (previous.islower() and char.isupper())
        ):
            return True
        previous = char
    return False


def better_reading(text: str, scheme: str) -> str | None:
    """``text`` converted from ``scheme`` when that reads as more Vietnamese than the text as it is."""
    converted = CONVERTERS[scheme](text)
    if converted == text:
        return None
    score, words = syllable_score(converted), len(_WORD.findall(converted))
    if score > syllable_score(text) and 2 * score >= words:  # better, and mostly Vietnamese
        return unicodedata.normalize("NFC", converted)
    return None


def detect_scheme(samples: list[str]) -> tuple[str | None, int]:
    """The legacy scheme most of the candidate ``samples`` read better in, and how many texts it improves."""
    candidates = [text for text in samples if may_be_legacy(text)]
    best, best_count = None, 0
    for scheme in CONVERTERS:
        count = sum(better_reading(text, scheme) is not None for text in candidates)
        if count > best_count:
            best, best_count = scheme, count
    return best, best_count
