"""Real place names for the demo: five provinces as they stood before 1 July 2025, and their 2025 communes.

Each district lists the communes, wards and special zones of the 2025 arrangement that lie in it, and for
each the older communes whose names the demo gives to schools, health stations and people's committees.
The names are real; the grouping of old communes into new ones is close to the 2025 decisions but not
checked against them, which is enough for demo data and must not be read as a gazetteer.
"""

import datetime
from dataclasses import dataclass

from congdoan.core.text import fold


@dataclass(frozen=True)
class Commune:
    """A commune, ward or special zone from 1 July 2025, with the older communes it took in."""

    name: str
    old: tuple[str, ...]


@dataclass(frozen=True)
class District:
    key: str  # short ASCII key, part of the unit and area codes
    kind: str  # "thành phố", "thị xã", "quận", "huyện": the kind it had on 30/06/2025
    name: str
    communes: tuple[Commune, ...]  # the first is the district seat
    # (kind before, date of the change) when the district changed status between 2019 and 2025
    earlier_kind: tuple[str, datetime.date] | None = None

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def weight(self) -> int:
        """Cities hold more of a province's employers than rural districts."""
        return {"thành phố": 3, "quận": 3, "thị xã": 2}.get(self.kind, 1)


@dataclass(frozen=True)
class IndustrialPark:
    name: str
    district: str  # key of the district it lies in
    commune: str  # name of its 2025 commune


@dataclass(frozen=True)
class Province:
    key: str  # unit code of its federation (LĐLĐ)
    gso_code: str  # the General Statistics Office code of the province
    tax_prefix: str  # the first two digits of tax codes issued there
    kind: str  # "tỉnh" or "thành phố"
    name: str
    profile: str  # which mix of employers it has: "delta", "mountain", "capital"
    members: int  # default size of the demo province: the workforce its employers hold
    districts: tuple[District, ...]
    # the upper-level unions beside the districts until 2025: keys of SECTOR_UNIONS
    sector_unions: tuple[str, ...] = ()
    industrial_parks: tuple[IndustrialPark, ...] = ()
    merged_into: str | None = None  # key of the province that took it in on 1 July 2025

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"

    def district(self, key: str) -> District:
        return next(d for d in self.districts if d.key == key)


def _c(name: str, *old: str) -> Commune:
    return Commune(name, old or (name,))


# fmt: off
KIEN_GIANG = Province(
    key="KG", gso_code="91", tax_prefix="17", kind="tỉnh", name="Kiên Giang",
    profile="delta", members=24_000, merged_into="AG",
    sector_unions=("VC", "GD", "YT"),
    industrial_parks=(
        IndustrialPark("Khu công nghiệp Thạnh Lộc", "CT", "xã Thạnh Lộc"),
        IndustrialPark("Khu công nghiệp Thuận Yên", "HT", "phường Tô Châu"),
        IndustrialPark("Khu kinh tế Phú Quốc", "PQ", "đặc khu Phú Quốc"),
    ),
    districts=(
        District("RG", "thành phố", "Rạch Giá", (
            _c("phường Rạch Giá", "phường Vĩnh Thanh Vân", "phường Vĩnh Thanh", "phường Vĩnh Lạc",
               "phường Vĩnh Bảo", "phường Vĩnh Hiệp", "phường An Hòa", "phường An Bình", "phường Rạch Sỏi",
               "phường Vĩnh Lợi"),
            _c("phường Vĩnh Thông", "phường Vĩnh Quang", "phường Vĩnh Thông", "xã Phi Thông"),
        )),
        District("HT", "thành phố", "Hà Tiên", (
            _c("phường Hà Tiên", "phường Đông Hồ", "phường Bình San", "phường Pháo Đài", "phường Mỹ Đức"),
            _c("phường Tô Châu", "phường Tô Châu", "xã Thuận Yên"),
            _c("xã Tiên Hải"),
        )),
        District("PQ", "thành phố", "Phú Quốc", (
            _c("đặc khu Phú Quốc", "phường Dương Đông", "phường An Thới", "xã Cửa Dương", "xã Cửa Cạn",
               "xã Gành Dầu", "xã Bãi Thơm", "xã Hàm Ninh", "xã Dương Tơ", "xã Hòn Thơm"),
            _c("đặc khu Thổ Châu", "xã Thổ Châu"),
        ), earlier_kind=("huyện", datetime.date(2021, 2, 1))),
        District("KL", "huyện", "Kiên Lương", (
            _c("xã Kiên Lương", "thị trấn Kiên Lương", "xã Kiên Bình", "xã Bình Trị"),
            _c("xã Hòa Điền", "xã Hòa Điền", "xã Dương Hòa", "xã Bình An"),
            _c("xã Sơn Hải"),
            _c("xã Hòn Nghệ"),
        )),
        District("HD", "huyện", "Hòn Đất", (
            _c("xã Hòn Đất", "thị trấn Hòn Đất", "xã Lình Huỳnh", "xã Nam Thái Sơn"),
            _c("xã Sơn Kiên", "xã Sơn Kiên", "xã Sơn Bình", "xã Mỹ Thái"),
            _c("xã Mỹ Thuận", "xã Mỹ Thuận", "xã Mỹ Lâm", "xã Mỹ Phước", "xã Mỹ Hiệp Sơn"),
            _c("xã Bình Sơn", "thị trấn Sóc Sơn", "xã Bình Sơn", "xã Thổ Sơn"),
            _c("xã Bình Giang"),
        )),
        District("TH", "huyện", "Tân Hiệp", (
            _c("xã Tân Hiệp", "thị trấn Tân Hiệp", "xã Tân Hiệp A", "xã Tân Hiệp B"),
            _c("xã Tân Hội", "xã Tân Hội", "xã Tân Thành", "xã Tân An"),
            _c("xã Thạnh Đông", "xã Thạnh Đông", "xã Thạnh Đông A", "xã Thạnh Đông B", "xã Thạnh Trị"),
        )),
        District("CT", "huyện", "Châu Thành", (
            _c("xã Châu Thành", "thị trấn Minh Lương", "xã Minh Hòa", "xã Giục Tượng"),
            _c("xã Bình An", "xã Bình An", "xã Vĩnh Hòa Hiệp", "xã Vĩnh Hòa Phú"),
            _c("xã Thạnh Lộc", "xã Thạnh Lộc", "xã Mong Thọ", "xã Mong Thọ A", "xã Mong Thọ B"),
        )),
        District("GR", "huyện", "Giồng Riềng", (
            _c("xã Giồng Riềng", "thị trấn Giồng Riềng", "xã Thạnh Hòa", "xã Bàn Thạch"),
            _c("xã Thạnh Hưng", "xã Thạnh Hưng", "xã Thạnh Phước", "xã Thạnh Lộc"),
            _c("xã Long Thạnh", "xã Long Thạnh", "xã Vĩnh Thạnh", "xã Vĩnh Phú"),
            _c("xã Hòa Hưng", "xã Hòa Hưng", "xã Hòa An", "xã Hòa Lợi"),
            _c("xã Ngọc Chúc", "xã Ngọc Chúc", "xã Ngọc Thành", "xã Ngọc Thuận", "xã Ngọc Hòa"),
            _c("xã Hòa Thuận", "xã Hòa Thuận", "xã Bàn Tân Định", "xã Thạnh Bình"),
        )),
        District("GQ", "huyện", "Gò Quao", (
            _c("xã Gò Quao", "thị trấn Gò Quao", "xã Vĩnh Phước B", "xã Định An"),
            _c("xã Định Hòa", "xã Định Hòa", "xã Thới Quản", "xã Thủy Liễu"),
            _c("xã Vĩnh Hòa Hưng", "xã Vĩnh Hòa Hưng Bắc", "xã Vĩnh Hòa Hưng Nam"),
            _c("xã Vĩnh Tuy", "xã Vĩnh Tuy", "xã Vĩnh Thắng", "xã Vĩnh Phước A"),
        )),
        District("AB", "huyện", "An Biên", (
            _c("xã An Biên", "thị trấn Thứ Ba", "xã Đông Yên", "xã Hưng Yên"),
            _c("xã Tây Yên", "xã Tây Yên", "xã Tây Yên A", "xã Nam Yên"),
            _c("xã Đông Thái", "xã Đông Thái", "xã Nam Thái", "xã Nam Thái A"),
        )),
        District("AM", "huyện", "An Minh", (
            _c("xã An Minh", "thị trấn Thứ Mười Một", "xã Thuận Hòa", "xã Đông Hòa"),
            _c("xã Vân Khánh", "xã Vân Khánh", "xã Vân Khánh Đông", "xã Vân Khánh Tây"),
            _c("xã Đông Hưng", "xã Đông Hưng", "xã Đông Hưng A", "xã Đông Hưng B", "xã Đông Thạnh",
               "xã Tân Thạnh"),
        )),
        District("VT", "huyện", "Vĩnh Thuận", (
            _c("xã Vĩnh Thuận", "thị trấn Vĩnh Thuận", "xã Vĩnh Thuận", "xã Bình Minh"),
            _c("xã Vĩnh Phong", "xã Vĩnh Phong", "xã Phong Đông", "xã Tân Thuận", "xã Vĩnh Bình Bắc",
               "xã Vĩnh Bình Nam"),
        )),
        District("UMT", "huyện", "U Minh Thượng", (
            _c("xã U Minh Thượng", "xã Thạnh Yên", "xã Thạnh Yên A", "xã An Minh Bắc"),
            _c("xã Vĩnh Hòa", "xã Vĩnh Hòa", "xã Hòa Chánh", "xã Minh Thuận"),
        )),
        District("GT", "huyện", "Giang Thành", (
            _c("xã Giang Thành", "xã Phú Mỹ", "xã Phú Lợi", "xã Tân Khánh Hòa"),
            _c("xã Vĩnh Điều", "xã Vĩnh Điều", "xã Vĩnh Phú"),
        )),
        District("KH", "huyện", "Kiên Hải", (
            _c("đặc khu Kiên Hải", "xã Hòn Tre", "xã Lại Sơn", "xã An Sơn", "xã Nam Du"),
        )),
    ),
)

AN_GIANG = Province(
    key="AG", gso_code="89", tax_prefix="16", kind="tỉnh", name="An Giang",
    profile="delta", members=4_000,
    sector_unions=("VC",),
    districts=(
        District("LX", "thành phố", "Long Xuyên", (
            _c("phường Long Xuyên", "phường Mỹ Bình", "phường Mỹ Long", "phường Mỹ Xuyên",
               "phường Đông Xuyên", "phường Mỹ Phước", "phường Mỹ Quý"),
            _c("phường Bình Đức", "phường Bình Đức", "phường Bình Khánh"),
            _c("phường Mỹ Thới", "phường Mỹ Thới", "phường Mỹ Thạnh", "phường Mỹ Hòa"),
            _c("xã Mỹ Hòa Hưng"),
        )),
        District("CD", "thành phố", "Châu Đốc", (
            _c("phường Châu Đốc", "phường Châu Phú A", "phường Châu Phú B", "phường Vĩnh Mỹ",
               "phường Vĩnh Ngươn"),
            _c("phường Vĩnh Tế", "phường Núi Sam", "xã Vĩnh Tế", "xã Vĩnh Châu"),
        )),
        District("CM", "huyện", "Chợ Mới", (
            _c("xã Chợ Mới", "thị trấn Chợ Mới", "xã Kiến An", "xã Kiến Thành"),
            _c("xã Long Điền", "xã Long Điền A", "xã Long Điền B", "thị trấn Mỹ Luông"),
            _c("xã Hội An", "xã Hội An", "xã Hòa Bình"),
            _c("xã Nhơn Mỹ", "xã Nhơn Mỹ", "xã Long Giang"),
        )),
        District("TS", "huyện", "Thoại Sơn", (
            _c("xã Thoại Sơn", "thị trấn Núi Sập", "xã Thoại Giang"),
            _c("xã Óc Eo", "thị trấn Óc Eo", "xã Vọng Thê", "xã Vọng Đông"),
            _c("xã Phú Hòa", "thị trấn Phú Hòa", "xã Phú Thuận"),
            _c("xã Định Mỹ", "xã Định Mỹ", "xã Định Thành"),
        )),
        District("CP", "huyện", "Châu Phú", (
            _c("xã Châu Phú", "thị trấn Cái Dầu", "xã Bình Long"),
            _c("xã Mỹ Đức", "xã Mỹ Đức", "xã Mỹ Phú", "xã Khánh Hòa"),
            _c("xã Vĩnh Thạnh Trung", "thị trấn Vĩnh Thạnh Trung", "xã Thạnh Mỹ Tây"),
            _c("xã Bình Mỹ", "xã Bình Mỹ", "xã Bình Thủy", "xã Bình Chánh"),
        )),
    ),
)

DIEN_BIEN = Province(
    key="DB", gso_code="11", tax_prefix="56", kind="tỉnh", name="Điện Biên",
    profile="mountain", members=2_500,
    districts=(
        District("DBP", "thành phố", "Điện Biên Phủ", (
            _c("phường Điện Biên Phủ", "phường Him Lam", "phường Tân Thanh", "phường Thanh Bình",
               "phường Noong Bua"),
            _c("phường Mường Thanh", "phường Mường Thanh", "phường Nam Thanh", "phường Thanh Trường",
               "xã Thanh Minh"),
            _c("xã Mường Phăng", "xã Mường Phăng", "xã Nà Nhạn", "xã Pá Khoang"),
        )),
        District("ML", "thị xã", "Mường Lay", (
            _c("phường Mường Lay", "phường Na Lay", "phường Sông Đà", "xã Lay Nưa"),
        )),
        District("DBN", "huyện", "Điện Biên", (
            _c("xã Thanh Nưa", "xã Thanh Nưa", "xã Thanh Hưng", "xã Thanh Luông"),
            _c("xã Thanh An", "xã Thanh An", "xã Thanh Xương", "xã Thanh Chăn"),
            _c("xã Sam Mứn", "xã Sam Mứn", "xã Noong Hẹt", "xã Pom Lót"),
            _c("xã Núa Ngam", "xã Núa Ngam", "xã Hẹ Muông"),
        )),
        District("TG", "huyện", "Tuần Giáo", (
            _c("xã Tuần Giáo", "thị trấn Tuần Giáo", "xã Quài Cang", "xã Quài Nưa"),
            _c("xã Quài Tở", "xã Quài Tở", "xã Tỏa Tình"),
            _c("xã Mường Mùn", "xã Mường Mùn", "xã Pú Xi"),
            _c("xã Chiềng Sinh", "xã Chiềng Sinh", "xã Chiềng Đông"),
        )),
    ),
)

LAI_CHAU = Province(
    key="LC", gso_code="12", tax_prefix="62", kind="tỉnh", name="Lai Châu",
    profile="mountain", members=2_000,
    districts=(
        District("LCH", "thành phố", "Lai Châu", (
            _c("phường Tân Phong", "phường Tân Phong", "phường Quyết Thắng", "phường Quyết Tiến"),
            _c("phường Đoàn Kết", "phường Đoàn Kết", "phường Đông Phong", "xã San Thàng"),
        )),
        District("TD", "huyện", "Tam Đường", (
            _c("xã Tam Đường", "thị trấn Tam Đường", "xã Sơn Bình"),
            _c("xã Bình Lư", "xã Bình Lư", "xã Nùng Nàng"),
            _c("xã Bản Bo", "xã Bản Bo", "xã Nà Tăm"),
            _c("xã Khun Há", "xã Khun Há", "xã Hồ Thầu"),
        )),
        District("TU", "huyện", "Than Uyên", (
            _c("xã Than Uyên", "thị trấn Than Uyên", "xã Mường Than", "xã Phúc Than"),
            _c("xã Mường Kim", "xã Mường Kim", "xã Ta Gia", "xã Tà Mung"),
            _c("xã Khoen On", "xã Khoen On", "xã Pha Mu"),
        )),
        District("PT", "huyện", "Phong Thổ", (
            _c("xã Phong Thổ", "thị trấn Phong Thổ", "xã Huổi Luông"),
            _c("xã Dào San", "xã Dào San", "xã Mồ Sì San"),
            _c("xã Sì Lở Lầu", "xã Sì Lở Lầu", "xã Ma Li Pho"),
            _c("xã Khổng Lào", "xã Khổng Lào", "xã Mường So", "xã Bản Lang"),
        )),
    ),
)

HA_NOI = Province(
    key="HN", gso_code="01", tax_prefix="01", kind="thành phố", name="Hà Nội",
    profile="capital", members=6_000,
    districts=(
        District("BD", "quận", "Ba Đình", (
            _c("phường Ba Đình", "phường Trúc Bạch", "phường Quán Thánh", "phường Điện Biên",
               "phường Đội Cấn"),
            _c("phường Ngọc Hà", "phường Ngọc Hà", "phường Cống Vị", "phường Liễu Giai", "phường Vĩnh Phúc"),
            _c("phường Giảng Võ", "phường Giảng Võ", "phường Kim Mã", "phường Thành Công",
               "phường Ngọc Khánh"),
        )),
        District("DD", "quận", "Đống Đa", (
            _c("phường Đống Đa", "phường Thổ Quan", "phường Trung Phụng", "phường Khâm Thiên",
               "phường Quang Trung"),
            _c("phường Kim Liên", "phường Kim Liên", "phường Phương Liên", "phường Phương Mai",
               "phường Trung Tự"),
            _c("phường Văn Miếu - Quốc Tử Giám", "phường Văn Miếu", "phường Quốc Tử Giám", "phường Hàng Bột",
               "phường Cát Linh", "phường Văn Chương"),
            _c("phường Láng", "phường Láng Thượng", "phường Láng Hạ"),
            _c("phường Ô Chợ Dừa", "phường Ô Chợ Dừa", "phường Trung Liệt", "phường Nam Đồng"),
        )),
        District("CG", "quận", "Cầu Giấy", (
            _c("phường Cầu Giấy", "phường Dịch Vọng", "phường Dịch Vọng Hậu", "phường Quan Hoa",
               "phường Mai Dịch"),
            _c("phường Nghĩa Đô", "phường Nghĩa Đô", "phường Nghĩa Tân"),
            _c("phường Yên Hòa", "phường Yên Hòa", "phường Trung Hòa"),
        )),
        District("LB", "quận", "Long Biên", (
            _c("phường Long Biên", "phường Long Biên", "phường Thạch Bàn", "phường Cự Khối"),
            _c("phường Bồ Đề", "phường Bồ Đề", "phường Ngọc Lâm", "phường Gia Thụy"),
            _c("phường Việt Hưng", "phường Việt Hưng", "phường Đức Giang", "phường Giang Biên"),
            _c("phường Phúc Lợi", "phường Phúc Lợi", "phường Sài Đồng", "phường Phúc Đồng"),
        )),
        District("DA", "huyện", "Đông Anh", (
            _c("xã Đông Anh", "thị trấn Đông Anh", "xã Uy Nỗ", "xã Tiên Dương"),
            _c("xã Phúc Thịnh", "xã Võng La", "xã Kim Chung", "xã Hải Bối", "xã Đại Mạch"),
            _c("xã Thiên Lộc", "xã Vân Nội", "xã Nguyên Khê", "xã Vân Hà"),
            _c("xã Thư Lâm", "xã Thụy Lâm", "xã Liên Hà", "xã Xuân Nộn"),
            _c("xã Vĩnh Thanh", "xã Vĩnh Ngọc", "xã Tầm Xá", "xã Xuân Canh"),
        )),
        District("ST", "thị xã", "Sơn Tây", (
            _c("phường Sơn Tây", "phường Lê Lợi", "phường Ngô Quyền", "phường Quang Trung",
               "phường Phú Thịnh"),
            _c("phường Tùng Thiện", "phường Xuân Khanh", "phường Trung Sơn Trầm", "xã Đường Lâm",
               "xã Kim Sơn"),
        )),
    ),
)
# fmt: on

PROVINCES: tuple[Province, ...] = (AN_GIANG, KIEN_GIANG, DIEN_BIEN, LAI_CHAU, HA_NOI)
PROVINCES_BY_KEY = {p.key: p for p in PROVINCES}


@dataclass(frozen=True)
class SectorUnion:
    key: str
    unit_type: str
    name: str  # followed by the province's full name


SECTOR_UNIONS = {
    "VC": SectorUnion("VC", "cd-vien-chuc", "Công đoàn Viên chức"),
    "GD": SectorUnion("GD", "cd-nganh-dp", "Công đoàn ngành Giáo dục"),
    "YT": SectorUnion("YT", "cd-nganh-dp", "Công đoàn ngành Y tế"),
}


def find_province(name: str) -> Province | None:
    """The demo province named ``name`` (with or without diacritics), or with that code."""
    wanted = fold(name).removeprefix("tinh ").removeprefix("thanh pho ").strip()
    for province in PROVINCES:
        if wanted in {fold(province.name), province.key.lower()}:
            return province
    return None
