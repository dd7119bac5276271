import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import found

# Browser tests drive Debian's chromium through Playwright (never a downloaded browser). The live
# server and the test's own ORM calls share one process, which Django's async guard would refuse.
CHROMIUM = Path(os.environ.get("CONGDOAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_MISSING = f"no chromium at {CHROMIUM} (Debian: apt-get install chromium)"
PLAYWRIGHT_FIXTURES = {"page", "context", "new_context", "browser", "launch_browser"}
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # The test client and the live server speak plain http (set before the live server builds its
    # middleware); CI's `check --deploy` holds the production HTTPS settings.
    settings.SECURE_SSL_REDIRECT = False
    # Daily tasks start only where a test asks (tests/test_daily_jobs.py), not on each client's first request.
    settings.CONGDOAN_DAILY = False


def pytest_report_header(config):
    return f"browser tests: {CHROMIUM}" if CHROMIUM.exists() else f"browser tests SKIPPED: {CHROMIUM_MISSING}"


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(config, items):
    """Every test that uses a Playwright fixture is a `browser` test, and skips without chromium."""
    for item in items:
        if PLAYWRIGHT_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=f"browser test: {CHROMIUM_MISSING}"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the tests use a database file (one per xdist worker), never the shared in-memory one.

    Threads beside the test's own (the live server's requests, background jobs in thread mode) open their
    own connections. On a shared in-memory database SQLite answers "database table is locked" at once,
    whatever the timeout, when one touches a table that another's open transaction holds; a file in WAL
    mode lets readers read and makes a writer wait for the lock up to the configured timeout, as in
    production.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database["TEST"].get("NAME"):
        database["TEST"]["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in another (Accept-Language: en) leaves it
    active in the thread after the response, and the next test read its messages in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
