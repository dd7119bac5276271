"""congdoan: the work of Vietnamese trade-union federations, from the union tree to targets and reports."""

__version__ = "0.1.0"
