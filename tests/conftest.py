import datetime

import pytest

from tests.factories import found


@pytest.fixture
def small_tree(db):
    """TLĐ > two provinces > districts > grassroots unions, all founded 01/01/2019."""
    national = found("Tổng Liên đoàn Lao động Việt Nam", "national", code="TLD")
    kg = found("Liên đoàn Lao động tỉnh Kiên Giang", "province", national, code="KG")
    ag = found("Liên đoàn Lao động tỉnh An Giang", "province", national, code="AG")
    rg = found("Liên đoàn Lao động thành phố Rạch Giá", "upper", kg, code="KG-RG")
    pq = found("Liên đoàn Lao động thành phố Phú Quốc", "upper", kg, code="KG-PQ")
    lx = found("Liên đoàn Lao động thành phố Long Xuyên", "upper", ag, code="AG-LX")
    a = found("Công đoàn cơ sở Trường THPT Nguyễn Trung Trực", "grassroots", rg, code="KG-RG-01")
    b = found("Công đoàn cơ sở Công ty TNHH Thủy sản Kiên Cường", "grassroots", rg, code="KG-RG-02")
    c = found("Công đoàn cơ sở Khách sạn Sao Biển", "grassroots", pq, code="KG-PQ-01")
    d = found("Công đoàn cơ sở Công ty CP Bê tông Long Xuyên", "grassroots", lx, code="AG-LX-01")
    return dict(national=national, kg=kg, ag=ag, rg=rg, pq=pq, lx=lx, a=a, b=b, c=c, d=d)


D = datetime.date
