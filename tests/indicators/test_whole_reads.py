"""The engine's reads for many units (every link of the day, the whole window) agree with the brute force
as its IN lists do: the differential history with every read taken the "many units" way."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from congdoan.indicators import engine
from tests.indicators.test_differential import PROFILE, check_history


@pytest.mark.django_db
@settings(max_examples=6, **PROFILE)
@given(st.data())
def test_whole_day_reads_match_brute_force(monkeypatch, data):
    monkeypatch.setattr(engine, "WHOLE_WINDOW_FROM", 0)
    check_history(data, first=10, second=10)
