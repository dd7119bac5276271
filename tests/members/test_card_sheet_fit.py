"""The card sheet's layout, measured in WeasyPrint's boxes: whatever the length of the names a card carries
(the longest a unit or a member may have), every line of text stays inside its card, none runs into the
next part of the card, and none is cut: the text laid out is the whole text."""

import importlib.util
import itertools

import pytest
from django.utils import timezone

from congdoan.accounts.models import Role
from congdoan.members import card_exports, cards
from congdoan.members.cards import CardWish
from congdoan.members.models import Member
from congdoan.units.models import Unit
from tests.members.people import admit
from tests.mixins import make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(importlib.util.find_spec("weasyprint") is None, reason="weasyprint absent"),
]

SLACK = 0.5  # px: rounding in the layout

UNIT_MAX = Unit._meta.get_field("name").max_length
NAME_MAX = Member._meta.get_field("full_name").max_length


def words(seed: str, length: int) -> str:
    """``seed`` repeated, cut on a word boundary to at most ``length`` characters."""
    text = " ".join(itertools.repeat(seed, length // len(seed) + 1))[:length]
    return text.rsplit(" ", 1)[0] if len(text) == length and text[-1] != " " else text.strip()


def card_boxes(document) -> list:
    return [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if getattr(box, "element_tag", None) == "div" and box.element.get("class") == "card"
    ]


def text_boxes(box) -> list:
    return [child for child in box.descendants() if type(child).__name__ == "TextBox"]


def line_boxes(box) -> list:
    return [child for child in box.descendants() if type(child).__name__ == "LineBox"]


def check_inside(card) -> None:
    left, top = card.content_box_x(), card.content_box_y()
    right, bottom = left + card.width, top + card.height
    for text in text_boxes(card):
        assert text.position_x >= left - SLACK and text.position_x + text.width <= right + SLACK, text.text
        assert text.position_y >= top - SLACK
        assert text.position_y + text.height <= bottom + SLACK, text.text
    parts = list(card.children)
    for part, after in itertools.pairwise(parts):
        lines = line_boxes(part)
        if lines:
            assert max(line.position_y + line.height for line in lines) <= after.position_y + SLACK, part


def laid_out_text(card) -> str:
    return "".join("".join(text.text for text in text_boxes(card)).split())


@pytest.fixture
def batch_of(registry):
    """``batch_of(unit_name, member_names, issuer_name)``: a print batch of new cards for members of KG-RG-01
    renamed so, printed by the province renamed so."""
    units = registry.world.units
    chair = make_user("fit-chair", units["a"], Role.CHAIR)
    upper = make_user("fit-officer", units["kg"], Role.OFFICER)

    def make(unit_name: str, member_names: list[str], issuer_name: str):
        Unit.objects.filter(pk=units["a"].pk).update(name=unit_name)
        Unit.objects.filter(pk=units["kg"].pk).update(name=issuer_name)
        unit = Unit.objects.get(pk=units["a"].pk)
        members = [
            admit(unit, name, gender="female", serial=80 + index) for index, name in enumerate(member_names)
        ]
        request = cards.request_cards(user=chair, unit=unit, wishes=[CardWish(m, "new") for m in members])
        cards.approve_request(request=request, user=upper)
        return cards.create_print_batch(
            user=upper,
            unit=Unit.objects.get(pk=units["kg"].pk),
            requests=[request],
            issued_on=timezone.localdate(),
        )

    return make


CASES = {
    "long and short names side by side": (
        "Công đoàn cơ sở Công ty Cổ phần Đầu tư Xây dựng và Phát triển Hạ tầng Kỹ thuật Đô thị Kiên Giang – "
        "Chi nhánh Phú Quốc thuộc Tổng Công ty Xây dựng Công trình Giao thông 8 (Cienco 8) – Xí nghiệp số 3",
        [
            "Tôn Thất Nguyễn Phước Công Huyền Tôn Nữ Thị Thanh Thủy Ngọc Diễm Phương",
            "Công Tôn Nữ Thị Huyền Trang Nguyễn Hoàng Phương Thảo",
            "Lê Văn Tư",
        ],
        "Liên đoàn Lao động tỉnh Kiên Giang",
    ),
    "longest names of words": (
        words("Công đoàn cơ sở Công ty Cổ phần Đầu tư Xây dựng Phát triển Hạ tầng Kỹ thuật", UNIT_MAX),
        [words("Tôn Thất Nguyễn Phước Công Huyền Tôn Nữ Thị Thanh Thủy Ngọc Diễm", NAME_MAX)],
        words("Liên đoàn Lao động tỉnh Kiên Giang Công đoàn ngành Giao thông Vận tải", UNIT_MAX),
    ),
    "150 characters": (
        words("Công đoàn cơ sở Trường Trung học Phổ thông Chuyên Huỳnh Mẫn Đạt", 150),
        [words("Nguyễn Thị Minh Khai Hoàng Phương", 60)],
        words("Liên đoàn Lao động tỉnh Kiên Giang", 150),
    ),
    "long words": (
        "Công đoàn cơ sở CÔNGTYTNHHMỘTTHÀNHVIÊNXỔSỐKIẾNTHIẾTKIÊNGIANGCHINHÁNHPHÚQUỐC-XÍ-NGHIỆP-SỐ-3",
        ["Nguyễn-Phước-Công-Huyền-Tôn-Nữ-Thị-Thanh-Thủy-Ngọc-Diễm-Phương"],
        "LIÊNĐOÀNLAOĐỘNGTỈNHKIÊNGIANGVÀCÁCCÔNGĐOÀNNGÀNHTRỰCTHUỘC",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_every_line_stays_inside_its_card(batch_of, case):
    unit_name, member_names, issuer_name = CASES[case]
    document = card_exports.sheet_document(batch_of(unit_name, member_names, issuer_name))
    shown = card_boxes(document)
    assert len(shown) == len(member_names)
    for card in shown:
        check_inside(card)
        text = laid_out_text(card)
        assert "".join(unit_name.split()) in text and "".join(issuer_name.split()) in text
    names = sorted("".join(name.upper().split()) for name in member_names)
    assert sorted(next(name for name in names if name in laid_out_text(card)) for card in shown) == names
