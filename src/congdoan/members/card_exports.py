"""A print batch's files: the sheet of cards (PDF, ten ID-1 cards on an A4 page) and the list an outside
printer works from (.xlsx, every text cell written as text, formula-looking text escaped).

Both show what the cards carry: union, member's full name, member code, CĐCS, date of issue and the card
number the card will have once handed out (``cards.card_number``). No other personal data leaves here.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from congdoan.members import cards
from congdoan.members.exports import safe_text
from congdoan.members.models import CardPrintBatch, CardReason, CardType

UNION = "CÔNG ĐOÀN VIỆT NAM"
CARDS_PER_ROW = 2
ROWS_PER_PAGE = 5  # 85.6 x 54 mm cards, 2 x 5 of them fill 171.2 x 270 mm of an A4 page
FONT_FILES = {
    "regular": "congdoan/fonts/LiberationSans-Regular.ttf",
    "bold": "congdoan/fonts/LiberationSans-Bold.ttf",
}


@dataclass(frozen=True)
class CardFace:
    number: str
    member_code: str
    full_name: str
    unit_name: str
    issuer_name: str
    card_type: str
    linked: bool
    reason: str
    issued_on: datetime.date


def faces(batch: CardPrintBatch, language: str = "vi") -> list[CardFace]:
    """The cards of ``batch`` as printed, by CĐCS, then by name in Vietnamese order; their labels in
    Vietnamese unless told otherwise (the files, like the cards, are Vietnamese whatever the interface's)."""
    items = list(cards.batch_items(batch))
    held = cards.current_cards([item.member for item in items])
    with translation.override(language):
        return [
            CardFace(
                number=item.card.number
                if item.card
                else cards.card_number(item.member, held.get(item.member_id, (0, None))[0] + 1),
                member_code=item.member.code,
                full_name=item.member.full_name,
                unit_name=item.request.unit.name,
                issuer_name=batch.unit.name,
                card_type=str(CardType(item.card_type).label),
                linked=item.card_type == CardType.LINKED,
                reason=str(CardReason(item.reason).label),
                issued_on=batch.issued_on,
            )
            for item in items
        ]


CANCELLED = gettext_lazy("This print batch was cancelled: it has no cards to print.")


def printable(batch: CardPrintBatch) -> CardPrintBatch:
    """``batch``, whose files are asked for: a cancelled batch has none (its requests went back)."""
    if batch.state == CardPrintBatch.State.CANCELLED:
        raise Http404(CANCELLED)
    return batch


def file_stem(batch: CardPrintBatch) -> str:
    return f"the-doan-vien-dot-{batch.pk}"


# ------------------------------------------------------------------------------------------------- PDF


def font_urls() -> dict[str, str]:
    """The shipped fonts as file URLs, so the PDF renders the same on a machine without them installed."""
    return {name: Path(finders.find(path)).as_uri() for name, path in FONT_FILES.items()}


def sheet_pdf(batch: CardPrintBatch) -> bytes:
    return sheet_document(batch).write_pdf()


# The card's geometry as card_sheet.html lays it out (keep the two in step): the text's width and height (the
# card less its padding and border), the labels' column, the line heights, and the parts of fixed size.
PT = 25.4 / 72  # mm
CARD_TEXT_MM = 85.6 - 2 * 4 - 2 * 0.2
CARD_TEXT_HEIGHT_MM = 54 - 2 * 3 - 2 * 0.2
LABEL_MM = 19
LINE = 1.2  # line height of the card's text, times its size
ROW_LINE = 1.3  # of the rows of labels
LABEL_PT = 7.5
FIXED_MM = (
    7 * LINE * PT  # CÔNG ĐOÀN VIỆT NAM
    + 0.5  # above the issuer
    + (11 * LINE * PT + 2 + 2.5)  # THẺ ĐOÀN VIÊN and its margins
    + 1.5  # above the rows
    + 3 * LABEL_PT * ROW_LINE * PT  # the rows of one line: code, date of issue, card number
)
MARGIN = 0.95  # of each width, for the kerning and rounding the advances do not measure


def _sizes(largest: float, smallest: float) -> tuple[float, ...]:
    return tuple(largest - step / 2 for step in range(int((largest - smallest) * 2) + 1))


@dataclass(frozen=True)
class CardText:
    """A text of the card whose size is chosen to fit: its font, the sizes it may take (largest first), the
    width of its lines and their height (times the size)."""

    weight: str
    sizes: tuple[float, ...]
    width_mm: float
    line: float
    min_height_mm: float = 0  # the row's label, when the text is shorter

    def height_mm(self, text: str, size: float) -> float:
        lines = text_widths(self.weight).lines(text, size, MARGIN * self.width_mm)
        return max(lines * size * self.line * PT, self.min_height_mm)


ISSUER = CardText("regular", _sizes(6.5, 4), CARD_TEXT_MM, LINE)
NAME = CardText("bold", _sizes(11, 6), CARD_TEXT_MM, LINE)
UNIT = CardText("regular", _sizes(7.5, 4), CARD_TEXT_MM - LABEL_MM, ROW_LINE, LABEL_PT * ROW_LINE * PT)


@dataclass(frozen=True)
class PrintedCard:
    """A card's face and its sizes, in points, written for CSS (``6.5``: the template would localise a
    number as ``6,5``, which CSS ignores)."""

    face: CardFace
    issuer_pt: str
    name_pt: str
    unit_pt: str


class TextWidths:
    """Widths of text in one of the shipped fonts (its advances, no kerning), to choose a size that fits."""

    def __init__(self, font_file: str):
        from fontTools.ttLib import TTFont

        font = TTFont(finders.find(font_file))
        self.glyph_of = font.getBestCmap()
        self.advances = font["hmtx"].metrics
        self.per_em = font["head"].unitsPerEm

    def width_mm(self, text: str, size_pt: float) -> float:
        units = sum(self.advances[self.glyph_of.get(ord(char), ".notdef")][0] for char in text)
        return units / self.per_em * size_pt * PT

    def lines(self, text: str, size_pt: float, width_mm: float) -> int:
        """How many lines ``text`` takes, broken as the sheet breaks it: between words and after hyphens,
        and a word longer than a line anywhere (``overflow-wrap: anywhere``), on a line of its own."""
        count, line = 1, ""
        for word in re.findall(r"[^\s-]*-+|[^\s-]+", text):
            joined = f"{line}{word}" if not line or line.endswith("-") else f"{line} {word}"
            if self.width_mm(joined, size_pt) <= width_mm:
                line = joined
                continue
            if line:
                count += 1
            line = ""
            for char in word:  # a word wider than the line is cut where the line is full
                if line and self.width_mm(line + char, size_pt) > width_mm:
                    count, line = count + 1, ""
                line += char
        return count


@functools.cache
def text_widths(weight: str) -> TextWidths:
    return TextWidths(FONT_FILES[weight])


def fitted(face: CardFace) -> PrintedCard:
    """``face`` with the font sizes that keep its issuer, name and CĐCS within the card, whatever their
    length: each starts at its largest size, and while the card's text is taller than the card, the one
    taking the most height (of those that can) takes the next smaller size."""
    texts = ((ISSUER, face.issuer_name), (NAME, face.full_name.upper()), (UNIT, face.unit_name))
    steps = [0, 0, 0]
    while True:
        heights = [
            part.height_mm(text, part.sizes[step]) for (part, text), step in zip(texts, steps, strict=True)
        ]
        shrinkable = [index for index, (part, _) in enumerate(texts) if steps[index] < len(part.sizes) - 1]
        if FIXED_MM + sum(heights) <= CARD_TEXT_HEIGHT_MM or not shrinkable:
            break
        steps[max(shrinkable, key=lambda index: heights[index])] += 1
    issuer, name, unit = (f"{part.sizes[step]:g}" for (part, _), step in zip(texts, steps, strict=True))
    return PrintedCard(face, issuer, name, unit)


def sheet_document(batch: CardPrintBatch):
    """The sheet of cards laid out by WeasyPrint, pages and boxes, before it is written as a PDF."""
    from weasyprint import HTML

    shown = [fitted(face) for face in faces(batch)]
    rows = [shown[start : start + CARDS_PER_ROW] for start in range(0, len(shown), CARDS_PER_ROW)]
    pages = [rows[start : start + ROWS_PER_PAGE] for start in range(0, len(rows), ROWS_PER_PAGE)]
    html = render_to_string(
        "members/cards/card_sheet.html",
        {"batch": batch, "pages": pages, "union": UNION, "fonts": font_urls()},
    )
    return HTML(string=html, base_url=str(Path(finders.find(FONT_FILES["regular"])).parent)).render()


# ------------------------------------------------------------------------------------------------ xlsx

COLUMNS = (
    "STT",
    "Số thẻ",
    "Mã đoàn viên",
    "Họ và tên",
    "Công đoàn cơ sở",
    "Đơn vị cấp thẻ",
    "Loại thẻ",
    "Lý do",
    "Ngày cấp",
)


def write_xlsx(stream, batch: CardPrintBatch) -> int:
    """The batch as a list for the printer; returns how many cards it holds."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách in thẻ")
    title = WriteOnlyCell(
        sheet, safe_text(f"DANH SÁCH IN THẺ ĐOÀN VIÊN — đợt {batch.pk} — {batch.unit.name}")
    )
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    header = []
    for text in COLUMNS:
        cell = WriteOnlyCell(sheet, text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    shown = faces(batch)
    for index, face in enumerate(shown, start=1):
        texts = (
            face.number,
            face.member_code,
            face.full_name,
            face.unit_name,
            face.issuer_name,
            face.card_type,
            face.reason,
        )
        date = WriteOnlyCell(sheet, face.issued_on)
        date.number_format = "DD/MM/YYYY"
        sheet.append([index, *(_text(sheet, value) for value in texts), date])
    workbook.save(stream)
    return len(shown)


def _text(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, safe_text(value))
    cell.data_type = "s"  # never a formula, whatever the text
    return cell
