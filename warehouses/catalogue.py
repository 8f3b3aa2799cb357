"""A synthetic sportswear catalogue: styles in colours and sizes, with categories and prices.

The types (`Sku`, `Catalogue`) are the OMS's own (`oms/catalogue.py`); this module
only generates a plausible assortment, deterministic from a seed. Style numbers are
popularity ranks: S0001 sells most (`style_popularity`), so stock and demand
generators can agree on what is hot without sharing state.
"""
from __future__ import annotations

import numpy as np

from oms.catalogue import Catalogue, Sku

CATEGORY_SHARE = {"shoes": 0.35, "apparel": 0.35, "down_jacket": 0.08, "bags": 0.07, "socks": 0.08,
                  "accessories": 0.07}
# Share of a style-colour's units by size (a size curve); single-size categories use "F".
SIZE_CURVES: dict[str, dict[str, float]] = {
    "shoes": {"36": .04, "37": .07, "38": .10, "39": .12, "40": .14, "41": .15, "42": .14, "43": .11,
              "44": .08, "45": .05},
    "apparel": {"XS": .04, "S": .12, "M": .24, "L": .28, "XL": .19, "2XL": .09, "3XL": .04},
    "down_jacket": {"S": .12, "M": .25, "L": .29, "XL": .21, "2XL": .09, "3XL": .04},
    "bags": {"F": 1.0},
    "socks": {"M": .55, "L": .45},
    "accessories": {"F": 1.0},
}
PRICE_POINTS_YUAN = {"shoes": (299, 399, 499, 599, 699, 899), "apparel": (99, 149, 199, 259, 299, 399),
                     "down_jacket": (499, 699, 899, 1099, 1299), "bags": (99, 149, 199, 299),
                     "socks": (29, 39, 49, 59), "accessories": (39, 59, 79, 99, 129)}
WEIGHT_G = {"shoes": 1100, "apparel": 350, "down_jacket": 1200, "bags": 600, "socks": 100, "accessories": 200}
COLOURS = ("BLK", "WHT", "RED", "NVY", "GRY", "GRN", "BLU", "PNK", "BEI")
POPULARITY_EXPONENT = 0.8  # Zipf: style k sells ∝ k ** -0.8


def generate_catalogue(styles: int, seed: int) -> Catalogue:
    """`styles` styles, each in 1–3 colours and its category's sizes ("S0001-BLK-M")."""
    if styles < 1:
        raise ValueError(f'"styles" must be >= 1, got {styles}.')
    rng = np.random.default_rng(seed)
    categories = list(CATEGORY_SHARE)
    category_of = rng.choice(len(categories), size=styles, p=list(CATEGORY_SHARE.values()))
    colour_counts = rng.choice([1, 2, 3], size=styles, p=[0.35, 0.45, 0.20])
    skus = []
    for k in range(styles):
        category = categories[category_of[k]]
        style = f"S{k + 1:0{max(4, len(str(styles)))}d}"
        price_fen = int(rng.choice(PRICE_POINTS_YUAN[category])) * 100
        for colour in sorted(rng.choice(COLOURS, size=colour_counts[k], replace=False)):
            for size in SIZE_CURVES[category]:
                skus.append(Sku(code=f"{style}-{colour}-{size}", style=style, colour=str(colour), size=size,
                                price_fen=price_fen, category=category, weight_g=WEIGHT_G[category]))
    return Catalogue.of(skus)


def style_popularity(catalogue: Catalogue) -> dict[str, float]:
    """Each style's share of unit sales (sums to 1), by its popularity rank in the style number."""
    styles = sorted({sku.style for sku in catalogue})
    weights = np.arange(1, len(styles) + 1, dtype=float) ** -POPULARITY_EXPONENT
    return dict(zip(styles, (weights / weights.sum()).tolist()))


def size_share(sku: Sku) -> float:
    """The share of its style-colour's units this size takes (1.0 for sizes off the curve)."""
    return SIZE_CURVES.get(sku.category, {}).get(sku.size, 1.0)
