"""What an indicator or an entered figure gives for one unit and one period: a number, or a ratio.

A ratio is kept as its numerator and denominator, never as a percent, so that an upper level adds up the
numerators and denominators of its subtree instead of averaging its children's percents.
"""

from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Actual:
    numerator: Decimal
    denominator: Decimal | None = None  # None: a count, not a ratio

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    @property
    def value(self) -> Decimal | None:
        """The count, or the ratio in percent; None for a ratio over nothing (0 of 0 is no percent)."""
        if self.denominator is None:
            return self.numerator
        if not self.denominator:
            return None
        return self.numerator * HUNDRED / self.denominator

    def __add__(self, other: "Actual") -> "Actual":
        if self.is_ratio != other.is_ratio:
            raise TypeError("A count and a ratio do not add up.")
        denominator = None if self.denominator is None else self.denominator + other.denominator
        return Actual(self.numerator + other.numerator, denominator)
