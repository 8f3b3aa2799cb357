"""The product catalogue: styles sold in colours and sizes.

Apparel stock lives at SKU level (style × colour × size), which is why a store
often holds a style but not the customer's size ("broken size runs").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from oms.exceptions import UnknownSku

CATEGORIES = ("shoes", "apparel", "down_jacket", "bags", "socks", "accessories")


@dataclass(frozen=True)
class Sku:
    """One sellable unit: a style in one colour and one size, with its list price in fen."""

    code: str  # seller SKU code, e.g. "S0001-BLK-M": what channels send as outer_sku_id
    style: str
    colour: str
    size: str
    price_fen: int
    category: str = "apparel"
    weight_g: int = 500
    barcode: str | None = None

    def __post_init__(self):
        if not self.code:
            raise ValueError('"code" must not be empty.')
        if self.price_fen < 0:
            raise ValueError(f'"price_fen" must be >= 0, got {self.price_fen}.')
        if self.weight_g <= 0:
            raise ValueError(f'"weight_g" must be > 0, got {self.weight_g}.')

    @property
    def family(self) -> str:
        """The SKU family used for learning rejection rates: the category."""
        return self.category


@dataclass
class Catalogue:
    """All SKUs the brand sells, looked up by seller code or barcode."""

    skus: dict[str, Sku] = field(default_factory=dict)
    _by_barcode: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, skus) -> "Catalogue":
        catalogue = cls()
        for sku in skus:
            catalogue.add(sku)
        return catalogue

    def add(self, sku: Sku) -> None:
        self.skus[sku.code] = sku
        if sku.barcode:
            self._by_barcode[sku.barcode] = sku.code

    def get(self, code: str, *, field: str = "sku") -> Sku:
        """The SKU for a seller code or barcode, or `UnknownSku` naming the field."""
        sku = self.skus.get(code)
        if sku is None and code in self._by_barcode:
            sku = self.skus[self._by_barcode[code]]
        if sku is None:
            raise UnknownSku(f"unknown SKU {code!r} at {field}", field=field)
        return sku

    def __contains__(self, code: str) -> bool:
        return code in self.skus or code in self._by_barcode

    def __len__(self) -> int:
        return len(self.skus)

    def __iter__(self):
        return iter(self.skus.values())
