"""The demo holds the five seed programmes, filed under its provinces."""

import pytest

from congdoan.demo.builder import build_demo
from congdoan.plans.models import Programme
from congdoan.units.models import Unit


@pytest.mark.slow  # builds the whole demo
def test_the_demo_files_the_seed_programmes_under_its_provinces(db):
    build_demo()
    filed = {
        p.ref: (p.unit.code, p.issuer_unit.code if p.issuer_unit else None)
        for p in Programme.objects.filter(parent__isnull=True).select_related("unit", "issuer_unit")
    }  # the demo's own plans carrying these out (an adopted share) are filed under lower units
    assert filed == {
        "DB-579-CV-2019": ("DB", "DB"),
        "LC-324-KH-2022": ("LC", "LC"),
        "KG-NQ-2020": ("KG", "KG"),
        "HN-76-TB-2021": ("HN", "HN"),
        "DB-CT-TU-2021": ("DB", None),
    }
    # Kiên Giang merged into An Giang on 01/07/2025: its programme is now in An Giang's scope
    an_giang = Unit.objects.get(code="AG")
    assert Programme.objects.filter(unit__path__under=an_giang.path).get().ref == "KG-NQ-2020"
