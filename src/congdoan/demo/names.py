"""Word pools for demo names: members and people who sign decisions, schools, public bodies and employers.

Employer names are put together from these words; any likeness to a real company is chance.
"""

import random

# fmt: off
# Family names, weighted roughly by how common they are in the south and the north.
FAMILY_NAMES = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 4), ("Phan", 4), ("Vũ", 3),
    ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Lâm", 1),
    ("Đinh", 1), ("Trương", 1), ("Thạch", 1), ("Lò", 1), ("Cà", 1),
)
MALE_MIDDLE = ("Văn", "Minh", "Hoàng", "Quốc", "Hữu", "Đức", "Thanh", "Công", "Ngọc", "Tấn", "Trung")
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thanh", "Thu", "Kim", "Thúy", "Mỹ", "Bích", "Hồng")
MALE_GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hòa", "Hùng", "Huy", "Khang", "Khoa", "Long", "Minh",
    "Nam", "Phong", "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh",
)
FEMALE_GIVEN = (
    "Anh", "Châu", "Diễm", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "Ngân",
    "Nhung", "Phương", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến",
)
# fmt: on


def person_name(rng: random.Random) -> str:
    """A Kinh name, a man's a little more often (signers of decisions)."""
    return member_name(rng, ethnic_group="01", female=rng.random() >= 0.55)


# fmt: off
# People schools are named after.
SCHOOL_PATRONS = (
    "Nguyễn Trung Trực", "Huỳnh Mẫn Đạt", "Nguyễn Hùng Sơn", "Phan Thị Ràng", "Mạc Đĩnh Chi", "Chu Văn An",
    "Lê Quý Đôn", "Nguyễn Du", "Trần Phú", "Võ Thị Sáu", "Nguyễn Văn Trỗi", "Lý Tự Trọng", "Ngô Quyền",
    "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Phan Bội Châu", "Phan Châu Trinh", "Nguyễn Bỉnh Khiêm",
    "Lương Thế Vinh", "Nguyễn Đình Chiểu", "Hùng Vương", "Quang Trung", "Nguyễn Thị Minh Khai", "Võ Văn Kiệt",
    "Tô Hiến Thành", "Trần Quốc Toản", "Kim Đồng", "Lê Hồng Phong", "Nguyễn Khuyến", "Tôn Đức Thắng",
    "Trần Văn Ơn", "Nguyễn Huệ", "Lê Thánh Tông", "Hai Bà Trưng", "Bùi Thị Xuân",
)
KINDERGARTEN_NAMES = (
    "Hoa Sen", "Hướng Dương", "Sơn Ca", "Họa Mi", "Hoa Mai", "Hoa Hồng", "Vành Khuyên", "Măng Non",
    "Tuổi Thơ", "Bình Minh", "Sao Mai", "Hoa Phượng", "Ánh Dương", "Búp Sen Hồng", "Hoa Cúc",
    "Thiên Thần Nhỏ",
)

# Provincial bodies whose staff formed grassroots unions under the civil-servant union (Công đoàn Viên chức).
PROVINCIAL_DEPARTMENTS = (
    "Văn phòng Ủy ban nhân dân", "Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Tư pháp",
    "Sở Công Thương", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Giao thông vận tải", "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường", "Sở Lao động - Thương binh và Xã hội", "Sở Văn hóa và Thể thao",
    "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông", "Sở Giáo dục và Đào tạo", "Sở Y tế",
    "Thanh tra", "Ban Dân tộc", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân",
)
PROVINCIAL_SELF_FUNDED = (
    "Đài Phát thanh và Truyền hình", "Báo",
    "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp",
    "Trung tâm Xúc tiến đầu tư, thương mại và du lịch", "Quỹ Đầu tư phát triển", "Trung tâm Dịch vụ việc làm",
)
HOSPITALS = (
    "Bệnh viện Đa khoa", "Bệnh viện Sản - Nhi", "Bệnh viện Y dược cổ truyền", "Bệnh viện Lao và Bệnh phổi",
    "Bệnh viện Mắt", "Bệnh viện Tâm thần", "Bệnh viện Phục hồi chức năng",
)
PROVINCIAL_HEALTH_BODIES = (
    "Trung tâm Kiểm soát bệnh tật", "Chi cục An toàn vệ sinh thực phẩm", "Trung tâm Pháp y",
)
COLLEGES = ("Trường Cao đẳng", "Trường Cao đẳng Sư phạm", "Trường Cao đẳng Y tế", "Trường Chính trị")
DISTRICT_SELF_FUNDED = (
    "Trung tâm Văn hóa, Thông tin và Thể thao", "Ban Quản lý dự án đầu tư xây dựng",
    "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên", "Ban Quản lý chợ",
)
STATE_ENTERPRISES = (
    "Công ty TNHH MTV Xổ số kiến thiết", "Công ty Cổ phần Cấp thoát nước",
    "Công ty Cổ phần Môi trường đô thị", "Công ty TNHH MTV Khai thác công trình thủy lợi",
    "Công ty Cổ phần Bến xe", "Công ty Cổ phần Dược phẩm", "Công ty Cổ phần Xây dựng giao thông",
    "Công ty Cổ phần Du lịch", "Công ty Cổ phần In", "Công ty TNHH MTV Lâm nghiệp", "Công ty Cổ phần Cảng",
    "Công ty Cổ phần Sách và Thiết bị trường học", "Công ty Cổ phần Điện nước lắp máy",
    "Công ty Cổ phần Công trình đô thị", "Công ty Cổ phần Lương thực",
)

TRADE_NAMES = (
    "Hải Vương", "Phát Đạt", "Thành Công", "Tân Thành", "Kiên Cường", "Hoàng Long", "Phương Nam", "Đại Dương",
    "Thuận Phát", "An Khang", "Hưng Thịnh", "Trường Thịnh", "Quốc Thắng", "Việt Úc", "Hải Nam", "Ngọc Châu",
    "Tân Phú", "Vạn Lợi", "Đông Á", "Nam Việt", "Phú Cường", "Mekong Xanh", "Hoàng Gia", "Toàn Thắng",
    "Hiệp Hưng", "Kim Long", "Đức Thành", "Thanh Bình", "Hồng Phúc", "Lộc Phát", "Tiến Đạt", "Gia Bảo",
    "Minh Khang", "Thiên Phú", "Hải Đăng", "Sông Hậu", "Biển Tây", "Trường Sơn", "Bảo Ngọc", "Tâm Đức",
    "Phúc Lộc", "Sao Việt", "Nhật Quang", "Thịnh Vượng", "Vĩnh Hưng", "Hòa Bình", "Tân Tiến", "Đại Phát",
)
FIELDS = {
    "delta": (
        "Thủy sản", "Chế biến thủy sản", "Xây dựng", "Vận tải thủy", "Du lịch", "Khách sạn", "Lương thực",
        "Xay xát lúa gạo", "Nước mắm", "Thương mại Dịch vụ", "Vật liệu xây dựng", "Cơ khí tàu thuyền",
        "Nông sản", "Thức ăn chăn nuôi", "Xăng dầu", "Nhà hàng",
    ),
    "mountain": (
        "Xây dựng", "Thương mại Dịch vụ", "Chè", "Thủy điện", "Khoáng sản", "Vận tải", "Lâm sản", "Du lịch",
        "Nông nghiệp công nghệ cao", "Vật liệu xây dựng",
    ),
    "capital": (
        "Công nghệ thông tin", "Phần mềm", "Xây dựng", "Thương mại Dịch vụ", "Tư vấn thiết kế", "Dược phẩm",
        "In", "Thực phẩm", "Bất động sản", "Vận tải", "Điện tử", "May mặc", "Giáo dục đào tạo", "Logistics",
        "Truyền thông", "Kế toán kiểm toán",
    ),
}
LEGAL_FORMS = (
    ("Công ty TNHH", 5), ("Công ty TNHH MTV", 2), ("Công ty Cổ phần", 2), ("Doanh nghiệp tư nhân", 2),
)

FOREIGN_BRANDS = (
    "Sunrise Garment", "Everwin Footwear", "Goldenstar Seafood", "Seojin Apparel", "Kwangsung Vina",
    "Tokai Precision", "Minato Foods", "Pacific Ocean Packaging", "Greenleaf Wood", "Namsung Textile",
    "Yuhan Shoes", "Haneul Electronics", "Kaiyo Marine", "Lotus Agro", "Orient Bag", "Silverline Cable",
    "Daeyang Fishing Net", "Hoshino Parts", "Bluewave Resort", "Taiyo Garment",
)
FOREIGN_ORGANISATIONS = (
    "Văn phòng Dự án Phát triển nông thôn bền vững",
    "Văn phòng đại diện Quỹ Hỗ trợ giáo dục trẻ em",
    "Văn phòng Dự án Nước sạch và vệ sinh môi trường",
)
COOPERATIVE_FIELDS = (
    "Nông nghiệp", "Dịch vụ nông nghiệp", "Thủy sản", "Vận tải", "Môi trường", "Nuôi trồng thủy sản",
    "Rau an toàn", "Tín dụng nhân dân",
)
GUILD_TRADES = {
    "delta": (
        "Nghề cá", "Bốc xếp", "Xe ôm", "Lái xe công nghệ", "Thợ may", "Tài xế xe khách", "Lao động tự do",
    ),
    "mountain": ("Xe ôm", "Lao động tự do", "Thợ xây", "Hướng dẫn viên du lịch cộng đồng"),
    "capital": (
        "Lái xe công nghệ", "Giao hàng công nghệ", "Xe ôm", "Giúp việc gia đình", "Bốc xếp", "Lao động tự do",
        "Thợ xây",
    ),
}

# Sub-units inside large grassroots unions.
WORKSHOPS = (
    "Xưởng sản xuất số 1", "Xưởng sản xuất số 2", "Xưởng sản xuất số 3", "Khối văn phòng",
    "Phân xưởng cơ điện", "Tổ kho vận",
)
WARDS = ("Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Cấp cứu", "Khối hành chính")
# fmt: on


# fmt: off
# Members' names by ethnic group (official codes of members.identity): (family names, male middle and
# given names, female middle and given names). Kinh names, and those of groups not listed, use the pools
# above; Khmer given names often have two syllables, H'Mông men carry "A" as their middle name.
ETHNIC_NAMES = {
    "03": (  # Thái
        ("Lò", "Cà", "Quàng", "Lường", "Tòng", "Điêu", "Lù", "Vì"),
        ("Văn",), ("Khăm", "Phong", "Sương", "Ún", "Thiêm", "Hặc", "Bun", "Xôm", "Chăn", "Inh"),
        ("Thị",), ("Ban", "Ánh", "Hom", "Ín", "Sâm", "Xuân", "Ngoan", "Pánh", "Lả", "Xiêng"),
    ),
    "08": (  # Mông
        ("Giàng", "Sùng", "Vàng", "Mùa", "Thào", "Lầu", "Hảng", "Cháng", "Lý", "Vừ"),
        ("A",), ("Páo", "Sinh", "Chứ", "Lử", "Dơ", "Tủa", "Chống", "Lềnh", "Sở", "Vư"),
        ("Thị",), ("Mai", "Dua", "Mỷ", "Sua", "Chu", "Pà", "Dế", "Say", "Súa", "Xí"),
    ),
    "09": (  # Dao
        ("Tẩn", "Phàn", "Chảo", "Lý", "Đặng", "Triệu"),
        ("Láo", "Văn"), ("Lở", "Mẩy", "Chản", "Quẩy", "Phẩu", "Tả"),
        ("Thị", "Mẩy"), ("Mẩy", "Dính", "Xoang", "Chài", "Lai", "Sảy"),
    ),
    "05": (  # Khơ-me
        ("Thạch", "Danh", "Sơn", "Kim", "Lâm", "Châu", "Trà", "Lý"),
        ("",), ("Sa Rươne", "Sóc", "Phol", "Ngọc Sang", "Sô Phal", "Rinh", "Chanh Tha", "Sà Ly", "Huol"),
        ("Thị",), ("Sô Phi", "Sa Vân", "Sóc Khia", "Chanh Ry", "Kim Hương", "Sa Ly", "Mây", "Sa Rinh"),
    ),
    "04": (  # Hoa
        ("Lâm", "Quách", "Trương", "Lý", "Diệp", "Mã", "Tăng", "Hứa"),
        ("Văn", "Quốc", "Chí"), ("Cường", "Hải", "Minh", "Phát", "Tài", "Vinh", "Kiệt"),
        ("Thị", "Mỹ", "Ngọc"), ("Linh", "Lan", "Hoa", "Phụng", "Mai", "Ngân", "Trân"),
    ),
}
# fmt: on


def member_name(rng: random.Random, *, ethnic_group: str, female: bool) -> str:
    """A member's full name, family name first, fitting their ethnic group and gender."""
    if ethnic_group in ETHNIC_NAMES:
        families, male_middle, male_given, female_middle, female_given = ETHNIC_NAMES[ethnic_group]
        family = rng.choice(families)
    else:
        family = rng.choices([n for n, _ in FAMILY_NAMES], weights=[w for _, w in FAMILY_NAMES])[0]
        male_middle, male_given = MALE_MIDDLE, MALE_GIVEN
        female_middle, female_given = FEMALE_MIDDLE, FEMALE_GIVEN
    middle, given = (female_middle, female_given) if female else (male_middle, male_given)
    return " ".join(part for part in (family, rng.choice(middle), rng.choice(given)) if part)
