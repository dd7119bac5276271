"""Finding the header of a real list (title rows above it, two-row headers, a numbering row under it) and
telling data rows from blank lines, section headings and the totals line at the bottom."""

import functools
import itertools
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from congdoan.core.text import fold
from congdoan.members.imports.fields import (
    BY_NAME,
    DATE_PARTS,
    IGNORED,
    NAME_PART,
    Field,
    display,
    is_date_in_words,
    is_header_word,
    is_heading_marker,
    match_header,
)
from congdoan.members.imports.reading import FileRefused, column_letters

HEADER_SCAN_ROWS = 30
MIN_HEADER_FIELDS = 3
KEY_FIELDS = {
    "full_name",
    "code",
    "id_number",
    "passport_number",
    "identity_document",
}  # two headers suffice when one of them is these (update lists)


@dataclass
class Column:
    index: int
    header: str  # as written in the file
    field: Field

    @property
    def letter(self) -> str:
        return column_letters(self.index)

    def as_json(self) -> dict:
        return {"index": self.index, "letter": self.letter, "header": self.header, "field": self.field.name}


@dataclass
class Layout:
    header_row: int
    columns: list[Column]
    ignored: list[str] = field(default_factory=list)  # known columns the registry does not keep
    unknown: list[str] = field(default_factory=list)  # headers not recognised
    name_parts: list[int] = field(default_factory=list)  # columns whose texts make the full name, if several
    # A date over several columns: the first of them -> the columns of its day, month and year (or None)
    date_parts: dict[int, tuple[int | None, int | None, int | None]] = field(default_factory=dict)

    @functools.cached_property
    def indexes(self) -> list[int]:
        return [c.index for c in self.columns]

    def values(self, cells: list) -> tuple:
        """The row's cells under the layout's columns, in their order (None where the row stops short)."""
        if len(cells) > self._last_index:
            return self._pick(cells)
        width = len(cells)
        return tuple(cells[index] if index < width else None for index in self.indexes)

    @functools.cached_property
    def _last_index(self) -> int:
        return max(self.indexes, default=-1)

    @functools.cached_property
    def _pick(self):
        # itemgetter reads the cells in C; with one index it returns the value itself, not a tuple
        if len(self.indexes) == 1:
            return lambda cells, index=self.indexes[0]: (cells[index],)
        return operator.itemgetter(*self.indexes)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field.name == name), None)


def _text(value) -> str:
    if value.__class__ is str:
        return value.strip()
    return display(value).strip() if value is not None else ""


def _header_fields(cells: list) -> dict[int, tuple[str, Field]]:
    found = {}
    for index, value in enumerate(cells):
        text = _text(value)
        if text and (matched := match_header(text)) is not None:
            found[index] = (text, matched)
    return found


def _distinct_fields(found: dict[int, tuple[str, Field]]) -> int:
    return len({f.name for _text, f in found.values() if f is not IGNORED})


def _is_numbering_row(cells: list) -> bool:
    """The row of column numbers under many official headers: 1 2 3 … or (1) (2) (3) …"""
    texts = [_text(v) for v in cells if _text(v)]
    return len(texts) >= 3 and all(re.fullmatch(r"\(?\d{1,2}\)?|[A-Z]", t) for t in texts)


def find_layout(rows: Iterator[tuple[int, list]]) -> tuple[Layout, Iterator[tuple[int, list]]]:
    """The header (the first of the top rows naming three known columns) and the data rows after it."""
    seen: list[tuple[int, list]] = []
    for number, cells in itertools.islice(rows, HEADER_SCAN_ROWS):
        seen.append((number, cells))
        found = _header_fields(cells)
        distinct = _distinct_fields(found)
        if distinct >= MIN_HEADER_FIELDS or (
            distinct == 2 and KEY_FIELDS & {f.name for _t, f in found.values()}
        ):
            break
    else:
        raise FileRefused(
            _(
                "No header row found in the first %(n)s rows: a member list needs a row of column "
                "headers such as “Họ và tên”, “Ngày sinh”, “Giới tính”, “Ngày vào Công đoàn”. "
                "Download the template to see them."
            )
            % {"n": HEADER_SCAN_ROWS}
        )
    header_row = number
    dated: dict[int, tuple[str, Field]] = {}  # date parts of a two-row header: the header above each
    rest = iter(rows)
    following = next(rest, None)
    if following is not None:
        sub = {i: hf for i, hf in _header_fields(following[1]).items() if hf[1] is not IGNORED}
        if (
            sub
            and not _row_has_data(following[1], found, sub)
            and not _one_text(following[1])
            and not _holds_figures(following[1])
        ):
            # A two-row header: the lower row names the columns that a merged cell above only grouped.
            dated = {i: found[i] for i, (_t, f) in sub.items() if f in DATE_PARTS and i in found}
            found.update(sub)
            header_row = following[0]
            following = next(rest, None)
        if following is not None and _is_numbering_row(following[1]):
            following = next(rest, None)
    layout = _build_layout(header_row, found, seen[-1][1], dated)
    data = itertools.chain([following] if following is not None else [], rest)
    return layout, data


def _one_text(cells: list) -> bool:
    """A row holding one text however many cells (a section heading merged across the list, such as
    "Công đoàn cơ sở …", which names a column too): the lower half of a header names several."""
    return len({text for value in cells if (text := _text(value))}) == 1


def _holds_figures(cells: list) -> bool:
    """Whether a row holds numbers or dates (a member's STT, birth, ID number): the lower half of a header
    holds words only, such as "Nam" | "Nữ", which a member's gender cell holds too."""
    return any(
        value.__class__ is not str or any(character.isdigit() for character in value)
        for value in cells
        if value is not None and value != ""
    )


def repeats_header(values: list[str], columns: list[dict]) -> bool:
    """Whether a staged row (its ``values`` under the batch's ``columns``) repeats the header, as lists put
    together from printed pages do at each page: its numbering row, or header words only, two or more of
    them the headers of their own columns (a member's gender "Nam" is a header's word too)."""
    if _is_numbering_row(values):
        return True
    own = 0
    for text, column in zip(values, columns, strict=False):
        if not text:
            continue
        if not is_header_word(text):
            return False
        own += match_header(text).name == column["field"]
    return own >= 2


def _row_has_data(cells: list, found: dict, sub: dict) -> bool:
    """Whether a row under the header is a member rather than the lower half of a two-row header."""
    return any(
        _text(cells[i])
        for i in found
        if i not in sub and i < len(cells) and found[i][1].name in ("full_name", NAME_PART.name)
    )


_DATED = {"birth_date", "joined_on", "party_joined_on", "card_issued_on"}  # what day, month, year may make


def _build_layout(
    header_row: int,
    found: dict[int, tuple[str, Field]],
    header_cells: list,
    dated: dict[int, tuple[str, Field]],
) -> Layout:
    columns: list[Column] = []
    ignored: list[str] = []
    by_field: dict[str, Column] = {}
    spread: dict[str, list[int]] = {}  # the columns a header merged over several of them covers
    parts = [index for index, (_text, matched) in sorted(found.items()) if matched is NAME_PART]
    for index, (text, matched) in sorted(found.items()):
        if matched is IGNORED:
            ignored.append(text)
            continue
        if matched is NAME_PART or matched in DATE_PARTS:
            continue
        if matched.name in by_field:
            other = by_field[matched.name]
            covered = spread.setdefault(matched.name, [other.index])
            if other.header == text and covered[-1] == index - 1:
                covered.append(index)  # the same header spread over a merged cell
                continue
            if matched.name == "unit" and _is_code_header(other.header) != _is_code_header(text):
                # "Mã CĐCS" beside "Tên CĐCS": the code finds the unit, the name is for people.
                if _is_code_header(text):
                    columns[columns.index(other)] = by_field["unit"] = Column(index, text, matched)
                    ignored.append(other.header)
                else:
                    ignored.append(text)
                continue
            raise FileRefused(
                _("Columns %(a)s (“%(ha)s”) and %(b)s (“%(hb)s”) both hold %(field)s; keep one of them.")
                % {
                    "a": other.letter,
                    "ha": other.header,
                    "b": column_letters(index),
                    "hb": text,
                    "field": matched.header,
                }
            )
        column = Column(index, text, matched)
        by_field[matched.name] = column
        columns.append(column)
    name_parts = spread.get("full_name", [])
    if parts and "full_name" not in by_field:
        columns.append(Column(parts[0], BY_NAME["full_name"].header, BY_NAME["full_name"]))
        columns.sort(key=lambda column: column.index)
        name_parts = parts
    else:
        ignored.extend(found[index][0] for index in parts)
    date_parts = {}
    for parent in {f for _t, f in dated.values()}:
        indexes = sorted(i for i, (_t, f) in dated.items() if f is parent)
        if parent.name in by_field or parent.name not in _DATED:
            ignored.extend(found[i][0] for i in indexes)
            continue
        by_part = {found[i][1]: i for i in indexes}
        date_parts[indexes[0]] = tuple(by_part.get(part) for part in DATE_PARTS)
        columns.append(Column(indexes[0], dated[indexes[0]][0], parent))
    columns.sort(key=lambda column: column.index)
    ignored.extend(text for i, (text, f) in found.items() if f in DATE_PARTS and i not in dated)
    unknown = [
        f"{column_letters(i)}: {_text(v)}"
        for i, v in enumerate(header_cells)
        if _text(v) and i not in found and not any(c.header == _text(v) for c in columns)
    ]
    return Layout(
        header_row, columns, ignored, unknown, name_parts if len(name_parts) > 1 else [], date_parts
    )


def join_date_parts(cells: list, parts: dict[int, tuple[int | None, int | None, int | None]]) -> list:
    """Each date written over day, month and year columns as one text in the first of them: dd/mm/yyyy,
    or the year alone; parts otherwise missing are joined as they are, for the date check to name."""
    for first, indexes in parts.items():
        texts = [_text(cells[i]) if i is not None and i < len(cells) else "" for i in indexes]
        if first >= len(cells):
            cells.extend([None] * (first + 1 - len(cells)))
        cells[first] = texts[2] if not texts[0] and not texts[1] else "/".join(t for t in texts if t)
    return cells


def join_name_parts(cells: list, parts: list[int]) -> list:
    """The full name of a list that writes it over several columns, put in the first of them."""
    texts: list[str] = []
    for index in parts:
        text = _text(cells[index]) if index < len(cells) else ""
        if text and (not texts or text != texts[-1]):  # a name merged across its row shows in each column
            texts.append(text)
    if texts:
        cells[parts[0]] = " ".join(texts)
    return cells


def _is_code_header(text: str) -> bool:
    return fold(text).startswith("ma ")


# "Tổng cộng", "Tổng số …", or a bare "Tổng"/"Cộng" before a count: folded, "Tống Văn Bình" (a family
# name) reads "tong van binh", so a bare "tong" must not start a longer text.
_TOTALS = re.compile(r"^(?:(?:tong cong|tong so)\b|(?:tong|cong)\s*(?:$|[:(\d]))")


# The signatures under a list: the place and date ("Rạch Giá, ngày 15 tháng 3 năm 2025"), who signs
# ("Người lập biểu", "TM. Ban chấp hành", "KT. Chủ tịch", "Thủ trưởng đơn vị", "Xác nhận của …"), the hint
# "(Ký, ghi rõ họ tên)"; with or without diacritics, matched on the text as it is (folding every row's
# first cell would cost more than the rest of the row's layout).
_SIGNATURES = re.compile(
    r"\bng[aà]y\b.{0,40}\bth[aá]ng\b.{0,40}\bn[aă]m\b|^(?:ng[uư][oờ]i\s+l[aậ]p|t/?m[.\s]|kt[.\s]"
    r"|(?:ph[oó]\s+)?ch[uủ]\s+t[iị]ch|th[uủ]\s+tr[uư][oở]ng|gi[aá]m\s+[dđ][oố]c|x[aá]c\s+nh[aậ]n|\(\s*k[yý]\b)",
    re.IGNORECASE,
)
# Columns where a date written in words is a person's date, not the place and date above the signatures.
_DATE_COLUMNS = {*_DATED, "birth_male", "birth_female"}


class RowKind:
    DATA, BLANK, HEADING, TOTALS, SIGNATURES = "data", "blank", "heading", "totals", "signatures"


def row_kind(cells: list, layout: Layout) -> str:
    """What a row is, from its cleaned cells (text stripped): a member's data, a blank line, a section
    heading, the totals. Every row of a list passes here, so text is made of other cells only when needed."""
    texts = [v if v.__class__ is str else _text(v) for v in layout.values(cells) if v is not None]
    filled = [text for text in texts if text]
    first = ""
    for value in cells:
        if value is not None and (first := value if value.__class__ is str else _text(value)):
            break
    if first and not first[0].isdigit() and _SIGNATURES.search(first) and not _names_a_person(cells, layout):
        return RowKind.SIGNATURES
    totals = first[:1] in "TtCc" and bool(_TOTALS.match(fold(first))) if first else False
    if not filled:
        return RowKind.BLANK if not first else (RowKind.TOTALS if totals else RowKind.HEADING)
    if totals and (len(filled) == 1 or len(set(filled)) == 1 or not _person_cells(cells, layout)):
        return RowKind.TOTALS
    if len(filled) >= 2 and len(set(filled)) == 1:
        return RowKind.HEADING  # one text merged across the row
    stt = cells[0] if cells else None
    if stt is None or stt.__class__ is int:  # the usual STT: a number, never an outline marker
        return RowKind.DATA
    stt = _text(stt)
    if stt and is_heading_marker(stt) and not _person_cells(cells, layout):
        name = layout.column("full_name")
        if name is not None and name.index:
            return RowKind.HEADING  # "I. Khối cơ quan", "A. Phân xưởng may"
    return RowKind.DATA


def _names_a_person(cells: list, layout: Layout) -> bool:
    """Whether a row led by words of the signatures still holds a person's data: a cell under the list's
    columns that is no line of the signatures, or a whole date in words under a date column. The place and
    date and who signs stand anywhere under the columns; a member's row whose name is missing and whose
    first filled cell is a date in words is no signature, and must not end the list."""
    width = len(cells)
    for column in layout.columns:
        value = cells[column.index] if column.index < width else None
        text = _text(value) if value is not None else ""
        if text and (
            not _SIGNATURES.search(text) or (column.field.name in _DATE_COLUMNS and is_date_in_words(text))
        ):
            return True
    return False


def _person_cells(cells: list, layout: Layout) -> bool:
    """Whether the row holds what only a person's row holds: a birth, a gender, an ID number."""
    wanted = (
        *("birth_date", "gender", "id_number", "passport_number", "identity_document"),
        *("birth_male", "birth_female", "joined_on"),
    )
    return any(
        c.field.name in wanted and c.index < len(cells) and _text(cells[c.index]) for c in layout.columns
    )
