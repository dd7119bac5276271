"""Materialised paths: the units a path runs through and the paths of those units."""

from hypothesis import given
from hypothesis import strategies as st

from congdoan.units.models import path_prefixes, path_segment, path_units

CHAINS = st.lists(st.integers(min_value=1, max_value=10**9 - 1), max_size=6)


@given(CHAINS)
def test_prefixes_are_the_paths_of_the_units_a_path_runs_through(chain):
    path = "".join(path_segment(pk) for pk in chain)
    prefixes = path_prefixes(path)
    assert prefixes == ["".join(path_segment(pk) for pk in chain[: depth + 1]) for depth in range(len(chain))]
    assert [path_units(prefix)[-1] for prefix in prefixes] == path_units(path) == chain
