"""When in the day people pay: hourly arrival weights per kind of channel (China time).

Shapes follow what the brand's channels report publicly: the mini-program mall and Douyin peak in
the evening after work (20:00–22:00); store guides sell while stores are open; the platforms
(Tmall, JD, VIP.com) have a late-morning, an afternoon and an evening peak; on Singles' Day and
618 the platforms open the sale at midnight and the first hour takes a fifth of the day.
"""
from __future__ import annotations

import numpy as np

HOURLY_WEIGHTS: dict[str, tuple[float, ...]] = {
    #                 0    1    2    3    4    5    6    7    8    9   10   11   12   13   14   15   16   17   18   19   20   21   22   23
    "social_evening": (2.0, 1.0, 0.5, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.2, 3.8, 4.0, 4.6, 4.2, 3.8, 3.8, 4.0, 4.3, 4.8, 6.0, 8.0, 8.5, 7.0, 4.5),
    "guide_daytime": (0.5, 0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.5, 6.0, 6.0, 6.0, 6.5, 7.5, 8.0, 7.0, 3.0, 1.2),
    "platform": (3.0, 1.5, 0.8, 0.5, 0.4, 0.5, 1.0, 2.0, 3.0, 4.2, 5.2, 5.0, 4.6, 4.6, 5.0, 5.2, 5.0, 4.6, 4.6, 5.2, 6.2, 6.8, 6.4, 4.6),
    "platform_midnight": (30.0, 9.0, 3.0, 1.2, 0.8, 0.8, 1.2, 2.2, 3.2, 4.4, 5.4, 5.2, 4.8, 4.8, 5.2, 5.4, 5.2, 4.8, 5.0, 6.0, 8.0, 9.5, 10.0, 9.0),
    "flat": (1.0,) * 24,
}


def hourly_shares(name: str | None, custom: tuple[float, ...] | None = None) -> np.ndarray:
    """24 shares of a day's orders, summing to 1."""
    weights = np.asarray(custom if custom is not None else HOURLY_WEIGHTS[name or "platform"], dtype=float)
    return weights / weights.sum()


def weekly_factors(pattern: tuple[float, ...]) -> np.ndarray:
    """Monday … Sunday factors with mean 1, so `orders_per_day` stays the average day."""
    factors = np.asarray(pattern, dtype=float)
    return factors / factors.mean()
