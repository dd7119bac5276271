"""A small demo for tests: every province with a fraction of its default workforce."""

SMALL = {"KG": 2_500, "AG": 1_000, "DB": 1_000, "LC": 1_000, "HN": 1_200}
TINY = {"KG": 1_000, "AG": 1_000, "DB": 1_000, "LC": 1_000, "HN": 1_000}
