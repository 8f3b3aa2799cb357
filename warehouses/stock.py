"""Opening stock per node × SKU, with the shape apparel stock really has.

* **Stores** carry a subset of styles (15–40% of the range, more in bigger stores,
  popular styles likelier) in one or two colours, and 0–3 units per size drawn
  around the size curve — so extreme sizes are often missing (缺色断码).
  Down jackets are stocked deeper in the north and thinly in the south.
* **RDCs** hold every SKU, tens to hundreds of units (deeper for bigger RDCs and
  hot styles), with a few stock-outs.
* **Cloud warehouses** hold the popular ~60% of styles, tens of units per SKU.

Deterministic from `seed`. Safety stock is what allocation must leave for walk-in
customers and store replenishment: see `SAFETY_STOCK_UNITS`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pandas as pd

from oms.catalogue import Catalogue
from oms.inventory import StockLevel
from warehouses.catalogue import size_share, style_popularity
from warehouses.nodes import Network, Node, NodeKind

# Units per SKU a node keeps back from online orders. Stores keep their last unit for
# the walk-in customer (shared stock must not starve the shop floor); RDCs keep a
# little for store replenishment; cloud stock is online-only.
SAFETY_STOCK_UNITS = {NodeKind.STORE: 1, NodeKind.RDC: 2, NodeKind.CLOUD: 0}
STORE_MAX_UNITS_PER_SKU = 3
STORE_UNITS_PER_STYLE_COLOUR = 6.0  # mean units across a style-colour's sizes (multi-size categories)
STORE_UNITS_PER_SINGLE_SIZE = 2.5  # mean units of a bag, socks, a cap
RDC_UNITS_PER_SKU = 60.0  # mean at a 150-picker RDC for an average style and size
CLOUD_UNITS_PER_SKU = 15.0
RDC_STOCKOUT_SHARE = 0.03
# Down-jacket stock by region, relative.
DOWN_JACKET_REGION_FACTOR = {"东北": 1.6, "华北": 1.4, "西北": 1.4, "华中": 1.0, "华东": 0.9, "西南": 0.8, "华南": 0.3}


def safety_stock_units(kind: NodeKind | str) -> int:
    return SAFETY_STOCK_UNITS[NodeKind(kind)]


class StockTable(Mapping):
    """On-hand units per ``(node_id, sku_code)``; pairs without stock are absent (``units`` gives 0)."""

    def __init__(self, units: Mapping[tuple[str, str], int]):
        for key, qty in units.items():
            if qty < 0:
                raise ValueError(f"stock of {key[1]} at {key[0]} must be >= 0, got {qty}.")
        self._units = {key: int(qty) for key, qty in units.items() if qty > 0}

    def __getitem__(self, key: tuple[str, str]) -> int:
        return self._units[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)

    def units(self, node_id: str, sku_code: str) -> int:
        return self._units.get((node_id, sku_code), 0)

    def at_node(self, node_id: str) -> dict[str, int]:
        return {sku: qty for (node, sku), qty in self._units.items() if node == node_id}

    def total_units(self) -> int:
        return sum(self._units.values())

    def to_frame(self) -> pd.DataFrame:
        """Columns node_id, sku_code, units."""
        return pd.DataFrame([(n, s, q) for (n, s), q in self._units.items()], columns=["node_id", "sku_code", "units"])

    def to_stock_levels(self, network: Network) -> list[StockLevel]:
        """OMS inventory records, with each node's default safety stock."""
        return [StockLevel(node_id, sku, on_hand=qty, safety_stock=safety_stock_units(network.node(node_id).kind))
                for (node_id, sku), qty in self._units.items()]


def generate_stock(network: Network, catalogue: Catalogue, seed: int) -> StockTable:
    """Opening stock for every node of `network` over `catalogue` (see module docstring)."""
    rng = np.random.default_rng(seed)
    range_ = _Range.of(catalogue)
    units: dict[tuple[str, str], int] = {}
    for node in network.nodes:
        region_factor = np.where(range_.is_down, DOWN_JACKET_REGION_FACTOR.get(node.region, 1.0), 1.0)
        if node.kind is NodeKind.STORE:
            qty = _store_units(node, rng, range_, region_factor)
        elif node.kind is NodeKind.RDC:
            lam = RDC_UNITS_PER_SKU * node.pickers / 150 * np.sqrt(range_.sku_popularity) * region_factor
            qty = rng.poisson(lam * range_.size_weight)
            qty[rng.random(len(qty)) < RDC_STOCKOUT_SHARE] = 0
        else:
            carried = range_.relative_popularity >= np.quantile(range_.relative_popularity, 0.4)
            lam = CLOUD_UNITS_PER_SKU * np.sqrt(range_.sku_popularity) * carried[range_.sku_style] * region_factor
            qty = rng.poisson(lam * range_.size_weight)
        for i in np.flatnonzero(qty):
            units[(node.node_id, range_.codes[i])] = int(qty[i])
    return StockTable(units)


@dataclass(frozen=True)
class _Range:
    """The catalogue as arrays over SKUs (and over styles, in popularity-rank order)."""

    codes: list[str]
    sku_style: np.ndarray  # style index of each SKU
    relative_popularity: np.ndarray  # per style, mean 1
    colour_rank: np.ndarray  # 0 for a style's first colour, 1 for its second…
    size_share: np.ndarray  # the size's share of its style-colour
    size_weight: np.ndarray  # size share × sizes in the run: 1 for a size of average demand
    multi_size: np.ndarray  # the SKU's style comes in more than one size
    is_down: np.ndarray

    @property
    def sku_popularity(self) -> np.ndarray:
        return self.relative_popularity[self.sku_style]

    @classmethod
    def of(cls, catalogue: Catalogue) -> _Range:
        skus = list(catalogue)
        popularity = style_popularity(catalogue)
        style_idx = {style: i for i, style in enumerate(sorted(popularity))}
        colours: dict[str, list[str]] = {}
        sizes: dict[str, set[str]] = {}
        for sku in skus:
            if sku.colour not in colours.setdefault(sku.style, []):
                colours[sku.style].append(sku.colour)
            sizes.setdefault(sku.style, set()).add(sku.size)
        share = np.array([size_share(s) for s in skus])
        n_sizes = np.array([len(sizes[s.style]) for s in skus])
        return cls(codes=[s.code for s in skus], sku_style=np.array([style_idx[s.style] for s in skus]),
                   relative_popularity=np.array([popularity[s] for s in sorted(popularity)]) * len(popularity),
                   colour_rank=np.array([colours[s.style].index(s.colour) for s in skus]), size_share=share,
                   size_weight=share * n_sizes, multi_size=n_sizes > 1,
                   is_down=np.array([s.category == "down_jacket" for s in skus]))


def _store_units(node: Node, rng: np.random.Generator, range_: _Range, region_factor: np.ndarray) -> np.ndarray:
    """A store's subset of styles, one or two colours each, 0–3 units a size around the size curve."""
    n_styles = len(range_.relative_popularity)
    breadth = 0.15 + 0.25 * min(node.floor_area_m2 / 600, 1.0)
    k = int(np.clip(round(n_styles * breadth), min(3, n_styles), n_styles))
    weights = range_.relative_popularity ** 0.7
    carried = np.zeros(n_styles, dtype=bool)
    carried[rng.choice(n_styles, size=k, replace=False, p=weights / weights.sum())] = True
    colours_carried = np.where(rng.random(n_styles) < 0.4, 2, 1)  # the style's first one or two colours
    holds = carried[range_.sku_style] & (range_.colour_rank < colours_carried[range_.sku_style])
    lam = np.where(range_.multi_size, STORE_UNITS_PER_STYLE_COLOUR * range_.size_share, STORE_UNITS_PER_SINGLE_SIZE)
    return np.minimum(rng.poisson(lam * region_factor) * holds, STORE_MAX_UNITS_PER_SKU)
