"""Vietnamese identity documents, ethnic groups and names: validation and normalisation.

CCCD (căn cước công dân, 12 digits, Thông tư 07/2016/TT-BCA and 59/2021/TT-BCA):
  digits 1–3  the province where the birth was registered (the 63 codes below)
  digit 4     century and gender: 0/1 born 1900–1999 male/female, 2/3 2000–2099, 4/5 2100–2199,
              6/7 2200–2299, 8/9 2300–2399
  digits 5–6  the last two digits of the birth year
  digits 7–12 a random serial
CMND (legacy chứng minh nhân dân): 9 digits, no structure we can check beyond that.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from congdoan.core.text import fold

CCCD_PROVINCES = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# The 54 groups in the order and with the codes of the General Statistics Office (QĐ 121-TCTK/PPCĐ),
# each with the spellings met in real lists.
ETHNIC_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("01", "Kinh", ("Việt",)),
    ("02", "Tày", ()),
    ("03", "Thái", ()),
    ("04", "Hoa", ("Hán",)),
    ("05", "Khơ-me", ("Khmer", "Khơ Me", "Khmer Krom")),
    ("06", "Mường", ()),
    ("07", "Nùng", ()),
    ("08", "Mông", ("Hmông", "H'Mông", "Hmong", "Mèo")),
    ("09", "Dao", ()),
    ("10", "Gia-rai", ("Jrai", "Jarai")),
    ("11", "Ngái", ()),
    ("12", "Ê-đê", ("Êđê", "Rhade")),
    ("13", "Ba-na", ("Bahnar",)),
    ("14", "Xơ-đăng", ("Sê Đăng", "Xê Đăng")),
    ("15", "Sán Chay", ("Cao Lan", "Sán Chỉ")),
    ("16", "Cơ-ho", ("K'Ho",)),
    ("17", "Chăm", ("Chàm",)),
    ("18", "Sán Dìu", ()),
    ("19", "Hrê", ("H're",)),
    ("20", "Mnông", ("M'Nông",)),
    ("21", "Ra-glai", ("Raglay",)),
    ("22", "Xtiêng", ("Stiêng",)),
    ("23", "Bru-Vân Kiều", ("Vân Kiều", "Bru")),
    ("24", "Thổ", ()),
    ("25", "Giáy", ()),
    ("26", "Cơ-tu", ("Katu", "Ca Tu")),
    ("27", "Gié-Triêng", ("Triêng",)),
    ("28", "Mạ", ()),
    ("29", "Khơ-mú", ("Khmu", "Xá Cẩu")),
    ("30", "Co", ()),
    ("31", "Tà-ôi", ("Pa Cô", "Tà Ôi")),
    ("32", "Chơ-ro", ()),
    ("33", "Kháng", ()),
    ("34", "Xinh-mun", ()),
    ("35", "Hà Nhì", ()),
    ("36", "Chu-ru", ()),
    ("37", "Lào", ()),
    ("38", "La Chí", ()),
    ("39", "La Ha", ()),
    ("40", "Phù Lá", ()),
    ("41", "La Hủ", ()),
    ("42", "Lự", ()),
    ("43", "Lô Lô", ()),
    ("44", "Chứt", ()),
    ("45", "Mảng", ()),
    ("46", "Pà Thẻn", ()),
    ("47", "Cơ Lao", ()),
    ("48", "Cống", ()),
    ("49", "Bố Y", ()),
    ("50", "Si La", ()),
    ("51", "Pu Péo", ()),
    ("52", "Brâu", ()),
    ("53", "Ơ Đu", ()),
    ("54", "Rơ-măm", ()),
]
ETHNIC_CHOICES = [(code, name) for code, name, _aliases in ETHNIC_GROUPS]


def _ethnic_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text).replace("dan toc", ""))


_ETHNIC_LOOKUP = {
    key: code
    for code, name, aliases in ETHNIC_GROUPS
    for key in {_ethnic_key(name), *(_ethnic_key(a) for a in aliases), code, str(int(code))}
}


def ethnic_code(text: str) -> str | None:
    """The official code of an ethnic group written any common way ("Khmer", "dân tộc Mông", "08"), also
    with another of its names in brackets ("Kinh (Việt)") when both name the same group."""
    code = _ETHNIC_LOOKUP.get(_ethnic_key(text or ""))
    if code is None and "(" in (text or ""):
        parts = {_ETHNIC_LOOKUP.get(_ethnic_key(part)) for part in re.split(r"[()]", text) if part.strip()}
        code = parts.pop() if len(parts) == 1 else None
    return code


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"0\d{9,10}")


def phone_number(text: str) -> str:
    """A Vietnamese phone number as ten or eleven digits from 0 ("+84 912 345 678" → "0912345678"); one
    whose leading zero a spreadsheet lost gets it back. ValueError says why a text is none."""
    number = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if number.startswith("+84"):
        number = "0" + number[3:]
    elif number.startswith("84") and len(number) == 11:
        number = "0" + number[2:]
    if len(number) in (9, 10) and number.isascii() and number.isdigit() and number[0] != "0":
        number = "0" + number
    if not _PHONE.fullmatch(number) or not number.isascii():
        raise ValueError(
            _("“%(value)s” is not a Vietnamese phone number (10 digits starting with 0).") % {"value": text}
        )
    return number


VIETNAM = "Việt Nam"
_VIETNAM_SPELLINGS = {"viet nam", "vietnam", "vn"}


@functools.lru_cache(maxsize=256)  # every row of a list checks its member's nationality: a few values
def nationality_name(text: str) -> str:
    """A nationality as written, Vietnam in one spelling ("Viet Nam", "VN", "việt nam" → "Việt Nam")."""
    text = " ".join((text or "").split())
    return VIETNAM if " ".join(re.sub(r"[^a-z ]", " ", fold(text)).split()) in _VIETNAM_SPELLINGS else text


@dataclass(frozen=True)
class IdCheck:
    kind: str  # "cccd" or "cmnd"
    number: str


def check_id_number(raw: str, *, birth_year: int | None = None, gender: str | None = None) -> IdCheck:
    """Validate a CCCD (12 digits, structured) or a legacy CMND (9 digits); ValueError says why not."""
    number = re.sub(r"[\s.\-]", "", unicodedata.normalize("NFKC", raw or ""))
    if not number.isdigit():
        raise ValueError(_("An ID number holds digits only."))
    if len(number) == 9:
        return IdCheck("cmnd", number)
    if len(number) != 12:
        raise ValueError(
            _("An ID number has 12 digits (CCCD) or 9 digits (old CMND); this one has %(n)s.")
            % {"n": len(number)}
        )
    if number[:3] not in CCCD_PROVINCES:
        raise ValueError(_("%(code)s is not a province code of a CCCD number.") % {"code": number[:3]})
    century_gender = int(number[3])
    century = 1900 + 100 * (century_gender // 2)
    if birth_year is not None and (
        int(number[4:6]) != birth_year % 100 or century != birth_year - birth_year % 100
    ):
        raise ValueError(_("The CCCD number does not match the birth year %(year)s.") % {"year": birth_year})
    if gender in {"male", "female"} and ("female" if century_gender % 2 else "male") != gender:
        raise ValueError(_("The CCCD number does not match the gender."))
    return IdCheck("cccd", number)


PASSPORT_LENGTHS = (6, 20)
_PASSPORT = re.compile(r"[A-Z0-9]+")


def passport_number(raw: str) -> str:
    """A passport number in one form: upper-case Latin letters and digits, the spaces, dots and dashes of
    its writing left out; ValueError says why it is none."""
    number = re.sub(r"[\s.\-]", "", unicodedata.normalize("NFKC", raw or "")).upper()
    if not _PASSPORT.fullmatch(number):
        raise ValueError(_("A passport number holds Latin letters and digits only."))
    shortest, longest = PASSPORT_LENGTHS
    if not shortest <= len(number) <= longest:
        raise ValueError(
            _("A passport number has %(shortest)s to %(longest)s characters; this one has %(n)s.")
            % {"shortest": shortest, "longest": longest, "n": len(number)}
        )
    return number


def split_name(full_name: str) -> tuple[str, str, str]:
    """(family, middle, given) of a Vietnamese name written family-first: "Nguyễn Thị Minh Khai"."""
    words = full_name.split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]
