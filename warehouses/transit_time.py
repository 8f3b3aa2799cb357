"""A transit-time distribution: how long a parcel takes from hand-over to the consumer.

Planners care about the tail (the parcel that misses the 24-hour promise), so a
lane's time is a distribution, not a number: a floor ``min_hours`` (nothing
arrives faster) plus a lognormal excess with median ``median_excess_hours`` and
shape ``sigma``. The CDF is evaluated with the same numpy code for one lane
(`quote`) and for millions (`TransitMatrix`), so both give identical numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

Z_P90 = NormalDist().inv_cdf(0.90)
Z_P99 = NormalDist().inv_cdf(0.99)

# Abramowitz & Stegun 26.2.17: standard normal CDF, absolute error < 7.5e-8.
_AS_P = 0.2316419
_AS_B = (0.319381530, -0.356563782, 1.781477937, -1.821255978, 1.330274429)


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF, vectorised (±inf allowed)."""
    x = np.asarray(x, dtype=float)
    ax = np.abs(x)
    t = 1.0 / (1.0 + _AS_P * ax)
    poly = t * (_AS_B[0] + t * (_AS_B[1] + t * (_AS_B[2] + t * (_AS_B[3] + t * _AS_B[4]))))
    upper = 1.0 - np.exp(-0.5 * ax * ax) / np.sqrt(2 * np.pi) * poly
    return np.where(x >= 0, upper, 1.0 - upper)


def shifted_lognormal_cdf(hours, min_hours, median_excess_hours, sigma) -> np.ndarray:
    """P(transit <= hours) for arrays of lane parameters (broadcasting)."""
    hours, min_hours = np.asarray(hours, dtype=float), np.asarray(min_hours, dtype=float)
    excess = hours - min_hours
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.log(np.where(excess > 0, excess, 1.0)) - np.log(median_excess_hours)) / sigma
    return np.where(excess > 0, normal_cdf(z), 0.0)


@dataclass(frozen=True)
class TransitTime:
    """Hours from hand-over to delivery on one lane: ``min_hours`` + LogNormal(ln median_excess, sigma)."""

    min_hours: float
    median_excess_hours: float
    sigma: float

    def __post_init__(self):
        if self.min_hours < 0:
            raise ValueError(f'"min_hours" must be >= 0, got {self.min_hours}.')
        if not self.median_excess_hours > 0:
            raise ValueError(f'"median_excess_hours" must be > 0, got {self.median_excess_hours}.')
        if not self.sigma > 0:
            raise ValueError(f'"sigma" must be > 0, got {self.sigma}.')

    @property
    def median_hours(self) -> float:
        return self.min_hours + self.median_excess_hours

    @property
    def mean_hours(self) -> float:
        return self.min_hours + self.median_excess_hours * float(np.exp(self.sigma ** 2 / 2))

    @property
    def p90_hours(self) -> float:
        return self.quantile(0.90)

    @property
    def p99_hours(self) -> float:
        return self.quantile(0.99)

    def quantile(self, q: float) -> float:
        """Hours within which a share `q` of parcels arrive."""
        if not 0 < q < 1:
            raise ValueError(f'"q" must be between 0 and 1, got {q}.')
        return self.min_hours + self.median_excess_hours * float(np.exp(self.sigma * NormalDist().inv_cdf(q)))

    def cdf(self, hours: float) -> float:
        """Probability the parcel arrives within `hours` of hand-over."""
        return float(shifted_lognormal_cdf(hours, self.min_hours, self.median_excess_hours, self.sigma))

    def sample(self, rng: np.random.Generator, size: int | None = None):
        """Draw transit hours (one float, or an array of `size`)."""
        draws = self.min_hours + rng.lognormal(np.log(self.median_excess_hours), self.sigma, size)
        return float(draws) if size is None else draws
