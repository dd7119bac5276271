"""Reading member lists from .xlsx and .csv files a row at a time, in memory that does not grow with the file.

``open_table(path)`` looks at the bytes, not the name: a zip is read as .xlsx, anything else as CSV text.
A file is refused as a whole (``FileRefused``, with a message for the user) when it is too large, not a
real workbook, a zip bomb, password-protected, or text in no encoding we can tell.

.xlsx is read with ``expat`` straight from the zip stream (python-calamine, though faster, loads the whole
sheet into memory: about 1.2 GB for a million rows). Shared strings go to a temporary file with a small
cache in front, so a million unique names cost no memory either. Merged cells take the value of their
top-left cell, as the user sees them. Formula cells are never evaluated: they come back as ``Formula``.

``read_ahead(table)`` reads a large sheet in a second process while this one checks and stores the rows:
parsing the sheet's XML is pure Python and a third of an import's time, which a second core takes off it.
"""

import codecs
import csv
import datetime
import io
import multiprocessing
import os
import re
import struct
import tempfile
import traceback
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

from congdoan.members.imports import legacy

CHUNK = 1 << 16
DIGITS = "0123456789"


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell, with the value Excel last computed for it (never evaluated here)."""

    cached: object


@dataclass(frozen=True, slots=True)
class CellError:
    code: str  # "#N/A", "#REF!", …


def max_bytes() -> int:
    return settings.CONGDOAN_IMPORT_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def too_large(size: int) -> str | None:
    """Why a file of ``size`` bytes is refused, if it is too large to import."""
    if size <= max_bytes():
        return None
    return _("The file is %(size)s MB; the limit is %(limit)s MB. Split the list into smaller files.") % {
        "size": _megabytes(size),
        "limit": _megabytes(max_bytes()),
    }


def open_table(path: Path, *, name: str = "") -> "XlsxTable | CsvTable":
    """The rows of the first visible sheet of an .xlsx, or of a CSV file, whichever ``path`` really is."""
    path = Path(path)
    size = path.stat().st_size
    if refusal := too_large(size):
        raise FileRefused(refusal)
    if size == 0:
        raise FileRefused(_("The file is empty."))
    with open(path, "rb") as handle:
        head = handle.read(8)
    suffix = Path(name or path.name).suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return XlsxTable(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _(
                "This is an old .xls workbook or a password-protected one. Open it in Excel, remove "
                "any password and save it as .xlsx (Excel Workbook), then upload it again."
            )
        )
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        raise FileRefused(
            _(
                "The file is named %(name)s but is not an Excel workbook (an .xlsx is a zip archive). "
                "Open it in Excel and save it again as .xlsx."
            )
            % {"name": name or path.name}
        )
    return CsvTable(path)


# ------------------------------------------------------------------------------------------ .xlsx

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}


LAST_COLUMN = 16383  # XFD, the last column of a worksheet


def column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    if not 0 < index <= LAST_COLUMN + 1:  # a crafted reference would make every row a list that long
        raise ValueError(_("column %(column)s is beyond XFD, the last column of Excel") % {"column": letters})
    return index - 1


class _ColumnIndex(dict):
    def __missing__(self, letters: str) -> int:
        self[letters] = index = column_index(letters)
        return index


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _LocalNames(dict):
    """Element names without their namespace prefix ("x:row" -> "row"), remembered once computed."""

    def __missing__(self, name: str) -> str:
        self[name] = local = name.rsplit(":", 1)[-1]
        return local


def _parser(start=None, end=None, text=None, *, local_attributes: bool = False) -> expat.XMLParserType:
    """An expat parser calling back with local names, that refuses DTDs (no entity tricks in an upload).

    Big parts (the sheet, shared strings) keep attribute names as they are, which is faster; the few
    attributes read from them are never prefixed.
    """
    parser = expat.ParserCreate()
    parser.buffer_text = True
    names = _LocalNames()

    def refuse_doctype(*args):
        raise FileRefused(
            _("The workbook contains a document type declaration, which a real .xlsx never has.")
        )

    parser.StartDoctypeDeclHandler = refuse_doctype
    if start and local_attributes:
        parser.StartElementHandler = lambda name, attrs: start(
            names[name], {names[k]: v for k, v in attrs.items()}
        )
    elif start:
        parser.StartElementHandler = lambda name, attrs: start(names[name], attrs)
    if end:
        parser.EndElementHandler = lambda name: end(names[name])
    if text:
        parser.CharacterDataHandler = text
    return parser


def _elements(data: bytes, wanted: set[str]) -> list[tuple[str, dict]]:
    """(name, attributes) of the ``wanted`` elements of a small XML part, in document order."""
    found: list[tuple[str, dict]] = []
    parser = _parser(
        start=lambda name, attrs: found.append((name, attrs)) if name in wanted else None,
        local_attributes=True,
    )
    parser.Parse(data, True)
    return found


class _SharedStrings:
    """The workbook's shared strings on disk: offsets and UTF-8 text in temporary files, read with pread."""

    def __init__(self, stream) -> None:
        self._text = tempfile.TemporaryFile()  # noqa: SIM115  (both closed by close())
        self._offsets = tempfile.TemporaryFile()  # noqa: SIM115
        self._count = 0
        position, parts, depth = 0, [], {"t": False, "rPh": 0}
        offsets = bytearray()

        def start(name, attrs):
            nonlocal parts
            if name == "si":
                parts = []
            elif name == "t" and not depth["rPh"]:
                depth["t"] = True
            elif name == "rPh":
                depth["rPh"] += 1

        def end(name):
            nonlocal position
            if name == "si":
                data = "".join(parts).encode()
                offsets.extend(struct.pack("<Q", position))
                self._text.write(data)
                position += len(data)
                self._count += 1
                if len(offsets) >= CHUNK:
                    self._offsets.write(offsets)
                    offsets.clear()
            elif name == "t":
                depth["t"] = False
            elif name == "rPh":
                depth["rPh"] -= 1

        def text(data):
            if depth["t"]:
                parts.append(data)

        parser = _parser(start, end, text)
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        offsets.extend(struct.pack("<Q", position))
        self._offsets.write(offsets)
        self._text.flush()
        self._offsets.flush()
        self.get = lru_cache(maxsize=16384)(self._read)

    def _read(self, index: int) -> str:
        if not 0 <= index < self._count:
            return ""
        start, end = struct.unpack("<QQ", os.pread(self._offsets.fileno(), 16, index * 8))
        return os.pread(self._text.fileno(), end - start, start).decode()

    def close(self) -> None:
        self._text.close()
        self._offsets.close()


# What a damaged workbook raises, when it is opened or as its sheet is read.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    KeyError,
    expat.ExpatError,
    EOFError,
    ValueError,
)


def _unreadable(error: Exception) -> FileRefused:
    return FileRefused(
        _(
            "The file is not a readable .xlsx workbook (%(reason)s). Open it in Excel and "
            "save it again as .xlsx."
        )
        % {"reason": error}
    )


class XlsxTable:
    format = "xlsx"
    encoding = ""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
            self._check_sizes()
            self._open_parts()
        except _DAMAGED as error:
            raise _unreadable(error) from None
        self._done_rows = 0

    def _check_sizes(self) -> None:
        """Refuse zip bombs from the sizes the archive declares, before inflating anything."""
        infos = self._zip.infolist()
        if len(infos) > 10_000:
            raise FileRefused(
                _("The workbook holds %(n)s parts; a real member list has a few dozen.") % {"n": len(infos)}
            )
        total = sum(info.file_size for info in infos)
        limit = max_bytes() * settings.CONGDOAN_IMPORT_MAX_INFLATION
        for info in infos:
            if info.flag_bits & 0x1:
                raise FileRefused(
                    _("The workbook is encrypted. Remove the password in Excel and save it again.")
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > settings.CONGDOAN_IMPORT_MAX_INFLATION:
                raise FileRefused(
                    _(
                        "The part %(part)s would inflate %(ratio)s times, to %(size)s MB: the file "
                        "looks like a zip bomb and is refused."
                    )
                    % {"part": info.filename, "ratio": int(ratio), "size": _megabytes(info.file_size)}
                )
        if total > limit:
            raise FileRefused(
                _(
                    "Unpacked, the workbook would take %(size)s MB (the limit is %(limit)s MB): the file "
                    "is refused."
                )
                % {"size": _megabytes(total), "limit": _megabytes(limit)}
            )

    def _part(self, name: str) -> bytes:
        info = self._zip.getinfo(name)
        if info.file_size > 16 * 1024 * 1024:  # workbook, relationships and styles are small
            raise FileRefused(_("The part %(part)s is unusually large.") % {"part": name})
        return self._zip.read(info)

    def _open_parts(self) -> None:
        names = set(self._zip.namelist())
        workbook = _elements(self._part("xl/workbook.xml"), {"sheet", "workbookPr"})
        self.epoch_1904 = any(n == "workbookPr" and a.get("date1904") in {"1", "true"} for n, a in workbook)
        sheets = [a for n, a in workbook if n == "sheet" and a.get("state", "visible") == "visible"]
        if not sheets:
            raise FileRefused(_("The workbook has no visible sheet."))
        targets = {
            a.get("Id"): a.get("Target", "")
            for _n, a in _elements(self._part("xl/_rels/workbook.xml.rels"), {"Relationship"})
        }
        target = targets.get(sheets[0].get("id"), "")
        self.sheet = sheets[0].get("name", "")
        self._sheet_path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if self._sheet_path not in names:
            raise FileRefused(_("The sheet %(sheet)s is missing from the workbook.") % {"sheet": self.sheet})
        self._date_styles: set[int] = set()
        if "xl/styles.xml" in names:
            self._read_styles(self._part("xl/styles.xml"))
        self._strings: _SharedStrings | None = None  # read with the rows (by the read-ahead process, if any)
        self._has_strings = "xl/sharedStrings.xml" in names
        self._merges = self._scan_merges()

    def _read_styles(self, data: bytes) -> None:
        formats = dict(BUILTIN_FORMATS)
        in_cell_xfs = False
        index = 0

        def start(name, attrs):
            nonlocal in_cell_xfs, index
            if name == "numFmt":
                formats[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
            elif name == "cellXfs":
                in_cell_xfs = True
            elif name == "xf" and in_cell_xfs:
                number_format = int(attrs.get("numFmtId", 0))
                if number_format in _DATE_FORMAT_IDS or (
                    number_format >= 164 and is_date_format(formats.get(number_format, ""))
                ):
                    self._date_styles.add(index)
                index += 1

        def end(name):
            nonlocal in_cell_xfs
            if name == "cellXfs":
                in_cell_xfs = False

        _parser(start, end).Parse(data, True)

    def _scan_merges(self) -> list[tuple[int, int, int, int]]:
        """Merged ranges (first row, first col, last row, last col); they follow the rows, so scan ahead."""
        merges, tail = [], b""
        with self._zip.open(self._sheet_path) as stream:
            while chunk := stream.read(1 << 20):
                window = tail + chunk
                if b"mergeCell" in window:
                    for c1, r1, c2, r2 in _MERGE.findall(window):
                        first = (int(r1), column_index(c1.decode()))
                        last = (int(r2), column_index(c2.decode())) if c2 else first
                        merges.append((*first, *last))
                    if len(merges) > 100_000:
                        raise FileRefused(_("The sheet has more than 100.000 merged cell ranges."))
                # The window overlaps the previous one so that a range split by the chunk edge is seen
                # whole; one seen twice is dropped below.
                tail = window[-200:]
        return sorted(set(merges))

    def rows(self) -> Iterator[tuple[int, list]]:
        """(Excel row number, cell values by column index) for every row that holds a cell."""
        if self._has_strings and self._strings is None:
            try:
                with self._zip.open("xl/sharedStrings.xml") as stream:
                    self._strings = _SharedStrings(stream)
            except _DAMAGED as error:
                raise _unreadable(error) from None
        strings, date_styles = self._strings, {str(index) for index in self._date_styles}
        epoch = datetime.datetime(1904, 1, 1) if self.epoch_1904 else datetime.datetime(1899, 12, 30)
        ready: list[tuple[int, list]] = []
        row: list = []
        parts: list[str] = []
        names = _LocalNames()
        columns = _ColumnIndex()
        number = column = 0
        style = "0"
        kind, formula, in_value, inline = "n", False, False, False

        def cell_value(raw: str):
            if kind == "s":
                return strings.get(int(raw)) if strings and raw else ""
            if kind in ("inlineStr", "str"):
                return raw
            if kind == "b":
                return raw == "1"
            if kind == "e":
                return CellError(raw)
            if raw == "":
                return None
            if kind == "d":
                return datetime.datetime.fromisoformat(raw)
            value = int(raw) if raw.isdigit() else float(raw)
            if style in date_styles and 0 <= value < 2958466:
                return from_excel(value, epoch=epoch)
            return value

        # Hot loop: expat calls these for every element of the sheet, so they keep their state in locals.
        def start(name, attrs):
            nonlocal number, column, style, kind, formula, in_value, inline
            name = names[name]
            if name == "c":
                ref = attrs.get("r")
                column = columns[ref.rstrip(DIGITS)] if ref else len(row)
                kind = attrs.get("t", "n")
                style = attrs.get("s", "0")
                formula = False
                parts.clear()
            elif name == "v" or (name == "t" and inline):
                in_value = True
            elif name == "is":
                inline = True
            elif name == "f":
                formula = True
            elif name == "row":
                row.clear()
                number = int(attrs["r"]) if "r" in attrs else number + 1
            elif name == "dimension":
                match = re.search(r"(\d+)$", attrs.get("ref", ""))
                self.total_rows = int(match.group(1)) if match else 0

        def end(name):
            nonlocal in_value, inline
            name = names[name]
            if name == "c":
                value = cell_value("".join(parts))
                if column >= len(row):
                    row.extend([None] * (column + 1 - len(row)))
                row[column] = Formula(value) if formula else value
            elif name == "v" or name == "t":
                in_value = False
            elif name == "is":
                inline = False
            elif name == "row":
                ready.append((number, list(row)))

        def text(data):
            if in_value:
                parts.append(data)

        self.total_rows = 0
        parser = _parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
        merged = _MergeFiller(self._merges)
        try:  # a sheet damaged past its first rows is found only here, as it is read
            with self._zip.open(self._sheet_path) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    for row_number, cells in ready:
                        self._done_rows = row_number
                        yield row_number, merged.fill(row_number, cells)
                    ready.clear()
                parser.Parse(b"", True)
        except _DAMAGED as error:
            raise _unreadable(error) from None
        for row_number, cells in ready:
            yield row_number, merged.fill(row_number, cells)

    def progress(self) -> tuple[int, int]:
        return self._done_rows, max(self.total_rows, self._done_rows)

    @property
    def sheet_bytes(self) -> int:
        return self._zip.getinfo(self._sheet_path).file_size

    def close(self) -> None:
        if self._strings:
            self._strings.close()
        self._zip.close()


# A sheet this large (its XML unpacked; about 7,000 rows of a member list) is read in a second process.
READ_AHEAD_BYTES = 4 * 1024 * 1024
_READ_AHEAD_ROWS = 1000  # rows a message: few enough to keep memory flat, enough to make sending cheap


def read_ahead(table: "XlsxTable | CsvTable") -> "XlsxTable | CsvTable | ReadAhead":
    """``table``, its rows read by a second process when it is a large sheet and this system can fork.

    CSV is not: the csv module parses in C, and sending its rows across would cost what it saves.
    """
    if (
        isinstance(table, XlsxTable)
        and table.sheet_bytes >= READ_AHEAD_BYTES
        and "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon  # a daemonic process may not start one
    ):
        return ReadAhead(table)
    return table


class ReadAhead:
    """A table whose rows a forked process reads and sends over a pipe, a thousand at a time.

    The pipe's buffer holds a message or two, so the reader waits for this process and memory stays flat.
    A file refused part-way is refused here with the reader's own message; closing the table early (a
    totals line ends the list) stops the reader.
    """

    def __init__(self, table: "XlsxTable") -> None:
        self._table = table
        self.format, self.sheet, self.encoding = table.format, table.sheet, table.encoding
        context = multiprocessing.get_context("fork")
        self._incoming, outgoing = context.Pipe(duplex=False)
        self._reader = context.Process(target=_send_rows, args=(table, outgoing), daemon=True)
        self._reader.start()
        outgoing.close()  # the reader holds the only sending end: its exit ends the pipe
        self._progress = (0, 0)

    def rows(self) -> Iterator[tuple[int, list]]:
        while True:
            try:
                kind, payload = self._incoming.recv()
            except EOFError:
                raise RuntimeError("The process reading the sheet ended without a word.") from None
            if kind == "rows":
                rows, self._progress = payload
                yield from rows
            elif kind == "end":
                return
            elif kind == "refused":
                raise FileRefused(payload)
            else:
                raise RuntimeError(f"The process reading the sheet failed:\n{payload}")

    def progress(self) -> tuple[int, int]:
        return self._progress

    def close(self) -> None:
        self._incoming.close()
        if self._reader.is_alive():
            self._reader.terminate()
        self._reader.join()
        self._table.close()


def _send_rows(table: "XlsxTable", outgoing) -> None:
    """The read-ahead process: the table's rows down the pipe, then how the reading ended."""
    rows: list[tuple[int, list]] = []
    try:
        for row in table.rows():
            rows.append(row)
            if len(rows) == _READ_AHEAD_ROWS:
                outgoing.send(("rows", (rows, table.progress())))
                rows = []
        outgoing.send(("rows", (rows, table.progress())))
        outgoing.send(("end", None))
    except FileRefused as refusal:
        outgoing.send(("refused", str(refusal)))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the table was closed before its end
    except Exception:
        outgoing.send(("error", traceback.format_exc()))
    finally:
        outgoing.close()


class _MergeFiller:
    """Gives every cell of a merged range the value of its top-left cell, row by row."""

    def __init__(self, merges: list[tuple[int, int, int, int]]) -> None:
        self._pending = list(reversed(merges))  # pop the earliest first
        self._active: list[tuple[int, int, int, int, object]] = []

    def fill(self, number: int, cells: list) -> list:
        while self._pending and self._pending[-1][0] <= number:
            r1, c1, r2, c2 = self._pending.pop()
            if r1 == number:
                self._active.append((r1, c1, r2, c2, cells[c1] if c1 < len(cells) else None))
        if not self._active:
            return cells
        self._active = [m for m in self._active if m[2] >= number]
        for _r1, c1, _r2, c2, value in self._active:
            if len(cells) <= c2:
                cells.extend([None] * (c2 + 1 - len(cells)))
            for column in range(c1, c2 + 1):
                cells[column] = value
        return cells


# -------------------------------------------------------------------------------------------- CSV


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), Windows-1258, or Latin-1 for legacy bytes.

    Latin-1 keeps TCVN3 and VNI bytes as the characters their tables are written in; the legacy layer then
    converts them. Between Windows-1258 and such bytes, the reading with more Vietnamese syllables wins.
    """
    with open(path, "rb") as handle:
        head = handle.read(CHUNK)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if sample.count(0) > len(sample) // 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > even * 4:
            return "utf-16-le"
        if even > odd * 4:
            return "utf-16-be"
        raise FileRefused(_("The file is not text: it looks like a binary file, not a CSV list."))
    if b"\0" in sample:
        raise FileRefused(_("The file is not text: it looks like a binary file, not a CSV list."))
    if _is_utf8(path):
        return "utf-8"
    sample_text = head.decode("latin-1")
    legacy_score = max(legacy.syllable_score(convert(sample_text)) for convert in legacy.CONVERTERS.values())
    try:
        windows = unicodedata.normalize("NFC", head.decode("cp1258"))
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1258" if legacy.syllable_score(windows) >= legacy_score else "latin-1"


ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "cp1258": "Windows-1258",
    "latin-1": "TCVN3/VNI",
}


_SEP_LINE = re.compile(r"sep=([,;\t|])\r?\n")


class CsvTable:
    format = "csv"
    sheet = ""

    def __init__(self, path: Path) -> None:
        self.encoding = detect_encoding(path)
        self._size = path.stat().st_size
        self._raw = open(path, "rb")  # noqa: SIM115  (closed by close())
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, errors="strict", newline="")
        try:
            sample = self._text.read(CHUNK)
        except UnicodeDecodeError as error:
            raise FileRefused(
                _("The file is not valid %(encoding)s text (%(reason)s).")
                % {"encoding": ENCODING_NAMES[self.encoding], "reason": error.reason}
            ) from None
        self._text.seek(0)
        self._hinted = _SEP_LINE.match(sample)
        if self._hinted:  # Excel's "sep=;" line names the delimiter; Excel hides it, and so do we
            self._dialect = type("Hinted", (csv.excel,), {"delimiter": self._hinted.group(1)})
            return
        try:
            self._dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            self._dialect = csv.excel

    def rows(self) -> Iterator[tuple[int, list]]:
        csv.field_size_limit(1 << 20)
        if self._hinted:
            self._text.readline()
        reader = csv.reader(self._text, self._dialect)
        try:
            yield from enumerate(reader, start=1)
        except (csv.Error, UnicodeDecodeError) as error:
            raise FileRefused(
                _("The CSV file cannot be read past row %(row)s: %(reason)s")
                % {"row": reader.line_num, "reason": error}
            ) from None

    def progress(self) -> tuple[int, int]:
        return self._raw.tell(), self._size

    def close(self) -> None:
        self._text.close()
