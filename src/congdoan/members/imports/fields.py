"""The columns of a member list: their Vietnamese headers and the spellings met in real lists, and how each
cell becomes a value of ``Member``.

Headers and choice labels here are the file format (a list is written in Vietnamese whatever language the
user's screen is in), so they are data, not interface strings; the messages about them are translated.
Each ``parse_*`` function takes a cell (text already NFC-normalised, a number, a date…) and returns the
value, or raises ``ValueError`` with a message for the user.
"""

import datetime
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from congdoan.core.text import fold, normalize
from congdoan.members.identity import (
    ETHNIC_GROUPS,
    ethnic_code,
    nationality_name,
    passport_number,
    phone_number,
)
from congdoan.members.services import is_valid_code

INJECTION_LEADS = ("=", "+", "-", "@", "\t", "\r")


_HINTS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*")
_NOT_KEY = re.compile(r"[^a-z0-9/]+")


@functools.lru_cache(maxsize=4096)  # lists repeat the same few words in the columns of labels
def _key(text: str) -> str:
    """Folded, punctuation-free form of a header or a label, "công đoàn" written "CĐ" as lists shorten it
    anywhere: "Ngày vào Công đoàn (*)" -> "ngay vao cd"."""
    return _CONG_DOAN.sub("cd", " ".join(_NOT_KEY.sub(" ", fold(_HINTS.sub(" ", text))).split()))


_CONG_DOAN = re.compile(r"\bcong doan\b")


def display(value) -> str:
    """A cell as the user would read it, for messages and the error report."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return _display_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(getattr(value, "cached", getattr(value, "code", value)))


@functools.lru_cache(maxsize=32768)  # a workbook's date cells: a few thousand distinct days, each shown often
def _display_date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


# ------------------------------------------------------------------------------------------ values


def _text(value) -> str:
    if value.__class__ is str:
        return value
    return display(value)


def parse_free_text(value) -> str:
    text = normalize(_text(value))
    if text.startswith(INJECTION_LEADS) and text != "-":
        raise ValueError(
            _(
                "The text starts with “%(lead)s” like a spreadsheet formula; it is not imported, so "
                "that it can never run when the list is opened again."
            )
            % {"lead": text[0]}
        )
    return "" if text == "-" else text


_NAME_CHARACTERS = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]+)*\.?$")  # noqa: RUF001


def parse_name(value) -> str:
    name = parse_free_text(value)
    if name.isupper() or name.islower():  # lists typed in one case: "NGUYỄN VĂN AN" -> "Nguyễn Văn An"
        name = name.title()
    if not _NAME_CHARACTERS.match(name):
        raise ValueError(_("A name holds letters, spaces and ' - . only: “%(value)s”.") % {"value": name})
    if len(name) > 120:
        raise ValueError(_("The name is longer than 120 characters."))
    return name


_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR = re.compile(r"\d{4}")
_SERIAL = re.compile(r"\d{5}")
# A date in words as some lists write it, folded: "ngày 05 tháng 3 năm 2020", "sinh ngày 02/09/1992",
# "năm 1993"; the words name the day, the month and the year, so the order is never in doubt.
_LEAD_WORDS = re.compile(r"(?:sinh )?(?:ngay|nam) ")
_IN_WORDS = re.compile(r"(\d{1,2}) thang (\d{1,2}) nam (\d{4})")


def _real_date(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_("%(value)s is not a real date.") % {"value": text}) from None


# Excel serial numbers read as dates: from 1800 (04/12/1904), since a smaller number is no year either (a
# "60" typed for 1960 is not 28/02/1900), to 9999.
_FIRST_SERIAL, _LAST_SERIAL = 1800, 2958466


def _serial(number: float) -> datetime.date:
    if not _FIRST_SERIAL <= number < _LAST_SERIAL:
        raise ValueError(_("%(value)s is not a date.") % {"value": display(number)})
    return from_excel(number).date()


def parse_date_or_year(value, *, allow_year: bool) -> datetime.date | int:
    """A date cell, an Excel serial number, dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, or (if allowed) a year."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1800 <= value <= 2200:  # a year typed into a number cell
            if allow_year:
                return int(value)
            raise _only_a_year(display(value))
        return _serial(value)
    return _date_text(_text(value).strip(), allow_year)


def _only_a_year(text: str) -> ValueError:
    return ValueError(_("%(value)s is only a year; a full date dd/mm/yyyy is needed here.") % {"value": text})


@functools.lru_cache(maxsize=32768)  # a list of any size holds a few thousand distinct dates
def _date_text(text: str, allow_year: bool) -> datetime.date | int:
    if match := _DMY.match(text):
        day, month, year = map(int, match.groups())
        return _real_date(year, month, day, text)
    if match := _YMD.match(text):
        year, month, day = map(int, match.groups())
        return _real_date(year, month, day, text)
    if _YEAR.fullmatch(text):
        if allow_year:
            return int(text)
        raise _only_a_year(text)
    if _SERIAL.fullmatch(text):
        return _serial(int(text))
    if (in_words := _date_in_words(text, allow_year)) is not None:
        return in_words
    raise ValueError(_("“%(value)s” cannot be read as a date; write it as dd/mm/yyyy.") % {"value": text})


def _date_in_words(text: str, allow_year: bool) -> datetime.date | int | None:
    """A date written in words (``_IN_WORDS``), or led by "ngày"/"năm" before the digits; None if the text
    is not one."""
    words = " ".join(fold(text).replace(",", " ").split())
    if (lead := _LEAD_WORDS.match(words)) is not None:
        words = words[lead.end() :]
    if match := _IN_WORDS.fullmatch(words):
        day, month, year = map(int, match.groups())
        return _real_date(year, month, day, text)
    if lead is not None and words[:1].isdigit():
        return _date_text(words, allow_year)
    return None


def is_date_in_words(text: str) -> bool:
    """Whether ``text`` is a whole date written in words ("ngày 05 tháng 3 năm 2020"), not a line that
    holds one among other words (the place and date above the signatures)."""
    try:
        return isinstance(_date_in_words(text, False), datetime.date)
    except ValueError:
        return False


def parse_date(value) -> datetime.date:
    return parse_date_or_year(value, allow_year=False)


def parse_birth(value) -> datetime.date | int:
    birth = parse_date_or_year(value, allow_year=True)
    year = birth if isinstance(birth, int) else birth.year
    if year < 1900:
        raise ValueError(_("A birth in %(year)s is not plausible for a member.") % {"year": year})
    return birth


_ID_SEPARATORS = re.compile(r"[\s.\-]")


def parse_id_number(value) -> str:
    """A CCCD/CMND's digits. A number cell loses the leading zeros (every CCCD starts with 0), and so does a
    CSV that Excel wrote from one: put them back."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not float(value).is_integer():
            raise ValueError(_("An ID number holds digits only."))
        digits = str(int(value))
    else:
        digits = _ID_SEPARATORS.sub("", _text(value))
    if digits.isascii() and digits.isdigit() and digits[0] != "0":
        if len(digits) in (10, 11):
            return digits.zfill(12)
        if len(digits) == 8:
            return digits.zfill(9)
    if digits and not any(character.isdigit() for character in digits):
        # A passport number mixes letters and digits; words alone are no number (a header repeated
        # inside an update list, which the registry's rules never check there).
        raise ValueError(_("“%(value)s” is not an ID number.") % {"value": _text(value)})
    return digits


def parse_passport_number(value) -> str:
    """A passport number (``identity.passport_number``); a number cell, digits only, as written."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    return passport_number(_text(value))


def parse_identity_document(value) -> tuple[str, str]:
    """A cell of a column for either document ("Số CCCD/CMND/Hộ chiếu"): (field, number). Letters with the
    digits make a passport number; digits alone (or words alone, refused there) an ID number."""
    text = _text(value) if isinstance(value, str) else ""
    if any(c.isalpha() for c in text) and any(c.isdigit() for c in text):
        return "passport_number", parse_passport_number(text)
    return "id_number", parse_id_number(value)


def parse_phone(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return phone_number(str(int(value)))
    return phone_number(_text(value))


class _EmailValidator(EmailValidator):
    """Django's e-mail check with its domain verdicts kept: a list's addresses share a few domains, and
    the domain's pattern is most of the check's cost."""

    __hash__ = object.__hash__  # for the cache: the one validator of the process, hashed by identity

    @functools.lru_cache(maxsize=1024)  # noqa: B019 (one validator for the process: nothing to free)
    def validate_domain_part(self, domain_part: str) -> bool:
        return super().validate_domain_part(domain_part)


_validate_email = _EmailValidator()


def parse_email(value) -> str:
    text = _text(value).strip().lower()
    try:
        _validate_email(text)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not an e-mail address.") % {"value": text}) from None
    return text


def parse_member_code(value) -> str:
    code = (
        str(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else _text(value)
    )
    code = code.strip()
    if not is_valid_code(code):
        raise ValueError(
            _("“%(value)s” is not a member code (ten digits with a check digit).") % {"value": code}
        )
    return code


@functools.lru_cache(maxsize=1024)
def parse_ethnic_group(value) -> str:
    code = ethnic_code(_text(value))
    if code is None:
        raise ValueError(
            _("“%(value)s” is not one of the 54 ethnic groups of Vietnam.") % {"value": _text(value)}
        )
    return code


def parse_nationality(value) -> str:
    return nationality_name(parse_free_text(value))


_MONTHS = re.compile(r"(\d{1,3})\s*(thang)?")


def parse_months(value) -> int:
    """A number of months: 24, "24", "24 tháng"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        months = int(value)
    elif match := _MONTHS.fullmatch(_key(_text(value))):
        months = int(match.group(1))
    else:
        months = -1
    if not 0 < months < 1000:
        raise ValueError(_("“%(value)s” is not a number of months.") % {"value": _text(value)})
    return months


def parse_religion(value) -> str:
    text = parse_free_text(value)
    return "" if _key(text) in {"khong", "khong co", "0"} else text


def parse_education(value) -> str:
    """12/12 -> upper secondary, 9/12 -> lower secondary…, the school names; the old 10-year system too."""
    text = _key(_text(value))
    if match := re.fullmatch(r"(\d{1,2})\s*/\s*(10|12)", text):
        grade, system = int(match.group(1)), int(match.group(2))
        if grade > system:
            raise ValueError(_("“%(value)s” is not a school grade.") % {"value": _text(value)})
        upper, lower = (10, 7) if system == 10 else (12, 9)
        return "upper_secondary" if grade >= upper else "lower_secondary" if grade >= lower else "primary"
    return _choice("education_level", value)


@dataclass(frozen=True)
class Choice:
    label: str  # how the template and exports write it
    aliases: tuple[str, ...] = ()


CHOICES: dict[str, dict[str, Choice]] = {
    "gender": {"male": Choice("Nam", ("m", "male", "trai")), "female": Choice("Nữ", ("f", "female", "gai"))},
    "education_level": {
        "primary": Choice("Tiểu học", ("cap 1", "th")),
        "lower_secondary": Choice("Trung học cơ sở", ("thcs", "cap 2")),
        "upper_secondary": Choice(
            "Trung học phổ thông", ("thpt", "cap 3", "pho thong trung hoc", "bo tuc thpt")
        ),
    },
    "professional_level": {
        "none": Choice(
            "Chưa qua đào tạo", ("khong", "lao dong pho thong", "lao dong gian don", "chua dao tao")
        ),
        "elementary": Choice("Sơ cấp", ("so cap nghe", "cong nhan ky thuat", "cnkt")),
        "intermediate": Choice("Trung cấp", ("trung cap nghe", "trung hoc chuyen nghiep", "tc", "tccn")),
        "college": Choice("Cao đẳng", ("cao dang nghe", "cd")),
        "bachelor": Choice("Đại học", ("dh", "cu nhan", "ky su", "bac si", "duoc si")),
        "master": Choice("Thạc sĩ", ("thac sy", "ths", "cao hoc", "bac si chuyen khoa i", "bs cki")),
        "doctor": Choice("Tiến sĩ", ("tien sy", "ts", "pgs", "gs")),
    },
    "political_theory": {
        "elementary": Choice("Sơ cấp"),
        "intermediate": Choice("Trung cấp", ("tc",)),
        "advanced": Choice("Cao cấp", ("cc",)),
        "bachelor": Choice("Cử nhân", ("cu nhan chinh tri",)),
    },
    "union_position": {
        "member": Choice("Đoàn viên", ("dv", "doan vien cong doan")),
        "group_leader": Choice("Tổ trưởng công đoàn", ("to truong", "to truong cd")),
        "committee": Choice("Ủy viên BCH", ("uv bch", "uy vien", "uy vien ban chap hanh", "bch")),
        "vice_chair": Choice("Phó Chủ tịch", ("pct", "pho chu tich cd", "pho chu tich cong doan")),
        "chair": Choice("Chủ tịch", ("ct", "chu tich cd", "chu tich cong doan")),
    },
    "card_type": {
        "regular": Choice("Thường", ("the thuong",)),
        "linked": Choice("Liên kết", ("the lien ket",)),
    },
}
# Answers meaning "none" in the optional level columns.
_NONE_ANSWERS = {"khong", "chua", "chua co", "0"}
_CHOICE_KEYS = {
    field: {
        _key(alias): code for code, choice in options.items() for alias in (choice.label, *choice.aliases)
    }
    for field, options in CHOICES.items()
}
CHOICE_LABELS = {
    field: {code: choice.label for code, choice in options.items()} for field, options in CHOICES.items()
}


@functools.lru_cache(maxsize=4096)  # lists repeat the same few words in these columns
def _choice(field: str, value) -> str:
    key = _key(_text(value))
    if key in _CHOICE_KEYS[field]:
        return _CHOICE_KEYS[field][key]
    if field not in ("gender", "card_type", "union_position") and key in _NONE_ANSWERS:
        return ""
    labels = ", ".join(choice.label for choice in CHOICES[field].values())
    raise ValueError(_("“%(value)s” is not one of: %(labels)s.") % {"value": _text(value), "labels": labels})


def parse_choice(field: str) -> Callable[[object], str]:
    return lambda value: _choice(field, value)


_YES = {"x", "co", "dang vien", "la dang vien", "dv", "1", "true", "yes", "v"}
_NO = {"khong", "0", "false", "no", "chua"}


def parse_party(value) -> bool | datetime.date:
    """Yes or no; a date in the column says yes, and when."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return parse_date(value)
    key = _key(_text(value))
    if key in _YES:
        return True
    if key in _NO:
        return False
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(_("Write “x” or “Có” for a Party member, or leave the cell empty.")) from None


def parse_gender_mark(value) -> bool:
    """A mark in a "Nam" or "Nữ" column (the birth date may stand there instead: see ``parse_birth``)."""
    return _key(_text(value)) in _YES


# ------------------------------------------------------------------------------------------ columns


@dataclass(frozen=True)
class Field:
    name: str  # a Member field, or "unit" / "birth_male" / "birth_female" / "ignore"
    header: str  # how the template writes the header
    synonyms: tuple[str, ...] = ()
    parse: Callable[[object], object] | None = None
    required: bool = False  # in a list of new members
    hint: str = ""  # shown as a comment on the template's header cell
    width: int = 16


FIELDS: list[Field] = [
    Field(
        "full_name",
        "Họ và tên",
        (
            "Họ tên",
            "Họ, tên",
            "Họ và tên đoàn viên",
            "Tên đoàn viên",
            "Họ và tên khai sinh",
            "Họ tên đoàn viên",
        ),
        parse_name,
        required=True,
        width=28,
    ),
    Field(
        "birth_date",
        "Ngày sinh",
        (
            "Năm sinh",
            "Ngày tháng năm sinh",
            "Ngày, tháng, năm sinh",
            "Sinh ngày",
            "Ngày/tháng/năm sinh",
            "Ngày sinh hoặc năm sinh",
        ),
        parse_birth,
        required=True,
        hint="dd/mm/yyyy, hoặc chỉ năm sinh (yyyy)",
        width=13,
    ),
    Field(
        "gender",
        "Giới tính",
        ("Nam/Nữ", "Nam, Nữ", "Nam Nữ", "Phái", "GT"),
        parse_choice("gender"),
        required=True,
        width=10,
    ),
    # Not "DT": folded, it is "ĐT", the phone.
    Field("ethnic_group", "Dân tộc", ("Dân tộc (thành phần)",), parse_ethnic_group, width=12),
    Field("religion", "Tôn giáo", ("TG",), parse_religion, width=12),
    Field("nationality", "Quốc tịch", (), parse_nationality, width=12),
    Field(
        "contract_months",
        "Thời hạn hợp đồng (tháng)",
        ("Thời hạn HĐLĐ", "Thời hạn hợp đồng lao động", "Số tháng hợp đồng"),
        parse_months,
        hint="Người lao động nước ngoài: thời hạn hợp đồng lao động, số tháng (từ 12 tháng)",
        width=12,
    ),
    Field(
        "id_number",
        "Số CCCD/CMND",
        (
            "Số CCCD",
            "CCCD",
            "CCCD/CMND",
            "CMND/CCCD",
            "Số CMND/CCCD",
            "CMND",
            "Số CMND",
            "Căn cước công dân",
            "Số căn cước",
            "Số căn cước công dân",
            "Số định danh",
            "Số định danh cá nhân",
            "Số chứng minh nhân dân",
            "Số CMND/thẻ CCCD",
        ),
        parse_id_number,
        hint="12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ); nhập dạng văn bản để giữ số 0 đầu",
        width=16,
    ),
    Field(
        "passport_number",
        "Số hộ chiếu",
        ("Hộ chiếu", "Passport", "Số passport", "Số hộ chiếu (passport)"),
        parse_passport_number,
        hint="Người lao động nước ngoài: số hộ chiếu (chữ và số, 6–20 ký tự)",
        width=14,
    ),
    Field(
        "phone",
        "Điện thoại",
        (
            "Số điện thoại",
            "SĐT",
            "ĐT",
            "Điện thoại di động",
            "Di động",
            "ĐTDĐ",
            "Số ĐT",
            "Điện thoại liên hệ",
        ),
        parse_phone,
        width=13,
    ),
    Field(
        "email",
        "Email",
        ("E-mail", "Thư điện tử", "Địa chỉ email", "Địa chỉ thư điện tử"),
        parse_email,
        width=22,
    ),
    Field(
        "education_level",
        "Trình độ văn hóa",
        (
            "Văn hóa",
            "Trình độ học vấn",
            "Học vấn",
            "Trình độ phổ thông",
            "Giáo dục phổ thông",
            "TĐVH",
            "Trình độ GDPT",
        ),
        parse_education,
        hint="Ví dụ: 12/12, 9/12, Trung học phổ thông",
        width=14,
    ),
    Field(
        "professional_level",
        "Trình độ chuyên môn",
        (
            "Chuyên môn",
            "Trình độ CMNV",
            "Trình độ chuyên môn nghiệp vụ",
            "Trình độ đào tạo",
            "TĐCM",
            "Bằng cấp",
            "Trình độ CM",
        ),
        parse_choice("professional_level"),
        width=16,
    ),
    Field(
        "political_theory",
        "Lý luận chính trị",
        ("Trình độ lý luận chính trị", "Trình độ LLCT", "LLCT", "Chính trị", "Trình độ chính trị"),
        parse_choice("political_theory"),
        width=14,
    ),
    Field(
        "party_member",
        "Đảng viên",
        ("Là đảng viên", "ĐV Đảng", "Đảng viên ĐCSVN", "Đảng viên (x)"),
        parse_party,
        hint="x nếu là đảng viên",
        width=10,
    ),
    Field("party_joined_on", "Ngày vào Đảng", ("Ngày kết nạp Đảng", "Ngày vào ĐCSVN"), parse_date, width=13),
    Field(
        "union_position",
        "Chức vụ công đoàn",
        ("Chức vụ CĐ", "Chức danh công đoàn", "Chức vụ trong công đoàn", "Chức vụ CĐCS", "Chức danh CĐ"),
        parse_choice("union_position"),
        width=18,
    ),
    Field(
        "occupation",
        "Nghề nghiệp",
        (
            "Công việc",
            "Công việc đang làm",
            "Chức vụ",
            "Chức vụ chính quyền",
            "Vị trí việc làm",
            "Chức danh",
            "Chức vụ, nghề nghiệp",
            "Nghề nghiệp, chức vụ",
            "Chức vụ/nghề nghiệp",
        ),
        parse_free_text,
        width=18,
    ),
    Field(
        "joined_on",
        "Ngày vào Công đoàn",
        (
            "Ngày vào CĐ",
            "Ngày kết nạp",
            "Ngày kết nạp công đoàn",
            "Ngày kết nạp vào công đoàn",
            "Ngày gia nhập công đoàn",
            "Ngày vào công đoàn Việt Nam",
            "Ngày, tháng, năm vào CĐ",
            "Ngày vào CĐVN",
            "Ngày kết nạp CĐ",
            "Ngày vào công đoàn",
        ),
        parse_date,
        required=True,
        hint="dd/mm/yyyy",
        width=13,
    ),
    Field("card_type", "Loại thẻ", ("Loại thẻ đoàn viên",), parse_choice("card_type"), width=10),
    Field("card_issued_on", "Ngày cấp thẻ", ("Ngày cấp thẻ đoàn viên",), parse_date, width=13),
    Field(
        "code",
        "Mã đoàn viên",
        ("Mã ĐV", "Mã số đoàn viên", "Mã thẻ", "Số thẻ đoàn viên", "Mã thẻ đoàn viên", "Mã số ĐV", "Số thẻ"),
        parse_member_code,
        hint="để trống khi thêm đoàn viên mới: hệ thống tự cấp mã",
        width=13,
    ),
    Field(
        "unit",
        "Mã CĐCS",
        (
            "CĐCS",
            "Công đoàn cơ sở",
            "Tên CĐCS",
            "Đơn vị",
            "Mã đơn vị",
            "Tên công đoàn cơ sở",
            "Thuộc CĐCS",
            "Tên đơn vị",
            "Mã công đoàn cơ sở",
        ),
        normalize,
        hint="mã hoặc tên công đoàn cơ sở",
        width=14,
    ),
]
# One column for either identity document, as some lists keep it: each cell goes to the ID number or the
# passport number (``parse_identity_document``). Not in the template, which has a column for each.
IDENTITY_DOCUMENT = Field(
    "identity_document",
    "Số CCCD/CMND/Hộ chiếu",
    ("CCCD/CMND/Hộ chiếu", "Số CCCD/Hộ chiếu", "CCCD/Hộ chiếu", "Số CMND/CCCD/Hộ chiếu", "Số CMND/Hộ chiếu"),
    parse_identity_document,
)
# Split birth columns of the classic form: "Ngày sinh" over "Nam" | "Nữ", the date standing in one of them.
BIRTH_MALE = Field("birth_male", "Nam", (), None)
BIRTH_FEMALE = Field("birth_female", "Nữ", (), None)
# A name written over two columns, "Họ đệm" | "Tên", under a merged "Họ và tên" or on their own: joined.
NAME_PART = Field(
    "name_part",
    "",
    ("Họ", "Họ đệm", "Họ và đệm", "Họ và tên đệm", "Họ và chữ đệm", "Họ lót", "Tên", "Tên gọi"),
)
# A date written over three columns, "Ngày" | "Tháng" | "Năm", under a merged "Ngày sinh": joined. Read by
# their exact words: folded, "Năm" (year) is "Nam" (the column of a man's birth date in the classic form).
DAY_PART, MONTH_PART, YEAR_PART = (Field(name, "") for name in ("day_part", "month_part", "year_part"))
DATE_PARTS = (DAY_PART, MONTH_PART, YEAR_PART)
_DATE_PART_WORDS = {
    "ngày": DAY_PART,
    "ngay": DAY_PART,
    "tháng": MONTH_PART,
    "thang": MONTH_PART,
    "năm": YEAR_PART,
}
# The columns the error report adds: the reasons, and the row of the original file.
REPORT_COLUMNS = ("Lỗi cần sửa", "Dòng trong tệp gốc")
# Columns that number or annotate the list's rows rather than describe people: not worth a notice.
BOOKKEEPING = (*REPORT_COLUMNS, "STT", "TT", "Số TT", "Số thứ tự")
# Known columns that the registry does not keep: read past, and named in a notice unless bookkeeping.
IGNORED = Field(
    "ignore",
    "",
    (
        *BOOKKEEPING,
        "Ghi chú",
        "Quê quán",
        "Địa chỉ",
        "Nơi ở",
        "Chỗ ở hiện nay",
        "Nơi sinh",
        "Đơn vị công tác",
        "Ngày cấp",
        "Nơi cấp",
        "Ngày cấp CCCD",
        "Nơi cấp CCCD",
        "Nơi thường trú",
        "Địa chỉ thường trú",
        "Hộ khẩu",
    ),
)
BY_NAME = {field.name: field for field in FIELDS}
# Columns of labels, a few values each: their readings depend on the text alone.
LABEL_FIELDS = frozenset(
    {
        *("gender", "ethnic_group", "religion", "nationality", "education_level", "professional_level"),
        *("political_theory", "party_member", "union_position", "occupation", "card_type"),
    }
)
_HEADER_KEYS = {
    _key(text): field
    for field in (*FIELDS, IGNORED, IDENTITY_DOCUMENT, BIRTH_MALE, BIRTH_FEMALE, NAME_PART)
    for text in (field.header, *field.synonyms)
    if text
}


def match_header(text: str) -> Field | None:
    """The column a header names, written any common way (with or without diacritics, hints in brackets)."""
    if part := _DATE_PART_WORDS.get(normalize(text).lower()):
        return part
    key = _key(text)
    if not key:
        return None
    if key in _HEADER_KEYS:
        return _HEADER_KEYS[key]
    # "Họ và tên đoàn viên công đoàn" -> the longest known header it starts with.
    for known in sorted(_HEADER_KEYS, key=len, reverse=True):
        if len(known) > 3 and key.startswith(known + " "):
            return _HEADER_KEYS[known]
    return None


def is_header_word(text: str) -> bool:
    """Whether ``text`` is written as one of the known headers (any of their spellings), word for word."""
    return _key(text) in _HEADER_KEYS or normalize(text).lower() in _DATE_PART_WORDS


def is_bookkeeping(header: str) -> bool:
    """Whether a header names a column that numbers or annotates rows (``BOOKKEEPING``)."""
    return _key(header) in _BOOKKEEPING_KEYS


_BOOKKEEPING_KEYS = {_key(text) for text in BOOKKEEPING}


_HEADING_MARKER = re.compile(r"[IVXLC]+\.?|[A-Z]\.?")


def is_heading_marker(text: str) -> bool:
    """An outline number of a section heading row: I, II, IV, A, B…"""
    return bool(_HEADING_MARKER.fullmatch(text.strip()))


ETHNIC_LABELS = [name for _code, name, _aliases in ETHNIC_GROUPS]
