"""Inventory per node × SKU, shared by online orders and walk-in customers.

Available-to-promise (ATP) = on hand − reserved − safety stock, never negative.
Orders move stock only by `reserve`, `release` and `ship` (a reservation leaving
the building); the store's own POS sales and stock counts use `sell` and `recount`.
"""
from __future__ import annotations

from dataclasses import dataclass

from oms.exceptions import InsufficientStock, InvalidStockMovement


@dataclass
class StockLevel:
    """One SKU's stock at one node (a store's shelf and back room, or a warehouse location)."""

    node_id: str
    sku_code: str
    on_hand: int = 0
    reserved: int = 0
    safety_stock: int = 0

    def __post_init__(self):
        if self.on_hand < 0:
            raise InvalidStockMovement(f'"on_hand" must be >= 0, got {self.on_hand}.')
        if self.reserved < 0:
            raise InvalidStockMovement(f'"reserved" must be >= 0, got {self.reserved}.')
        if self.safety_stock < 0:
            raise InvalidStockMovement(f'"safety_stock" must be >= 0, got {self.safety_stock}.')

    @property
    def atp(self) -> int:
        """Available to promise to a new online order."""
        return max(0, self.on_hand - self.reserved - self.safety_stock)

    @property
    def unpromised(self) -> int:
        """On hand and not yet promised, safety stock included: what a routing policy that releases the
        node's safety stock may promise."""
        return max(0, self.on_hand - self.reserved)

    def promisable(self, safety_stock_too: bool = False) -> int:
        """What a new online order may be promised: ATP, or with `safety_stock_too` what is unpromised."""
        return self.unpromised if safety_stock_too else self.atp

    def reserve(self, qty: int, safety_stock_too: bool = False) -> None:
        """Promise `qty` to an online order, out of `promisable(safety_stock_too)`."""
        _positive(qty)
        available = self.promisable(safety_stock_too)
        if qty > available:
            raise InsufficientStock(
                f"node {self.node_id} has {available} of {self.sku_code} available, {qty} asked")
        self.reserved += qty

    def release(self, qty: int) -> None:
        _positive(qty)
        if qty > self.reserved:
            raise InvalidStockMovement(
                f"cannot release {qty} of {self.sku_code} at {self.node_id}: only {self.reserved} reserved")
        self.reserved -= qty

    def ship(self, qty: int) -> None:
        """A reserved quantity leaves the node in a parcel."""
        _positive(qty)
        if qty > self.reserved or qty > self.on_hand:
            raise InvalidStockMovement(
                f"cannot ship {qty} of {self.sku_code} at {self.node_id}: reserved {self.reserved}, on hand {self.on_hand}")
        self.reserved -= qty
        self.on_hand -= qty

    def receive(self, qty: int) -> None:
        """Units arrive (replenishment, a return restocked)."""
        _positive(qty)
        self.on_hand += qty

    def sell(self, qty: int) -> int:
        """A walk-in POS sale; returns how many reserved units are now no longer on the shelf
        (the sale took stock promised online: those reservations are at risk)."""
        _positive(qty)
        if qty > self.on_hand:
            raise InsufficientStock(
                f"node {self.node_id} has {self.on_hand} of {self.sku_code} on hand, POS sold {qty}")
        self.on_hand -= qty
        return max(0, self.reserved - self.on_hand)

    def recount(self, on_hand: int) -> None:
        """Set on-hand to what staff counted (e.g. after a pick found nothing on the shelf)."""
        if on_hand < 0:
            raise InvalidStockMovement(f"counted on hand must be >= 0, got {on_hand}")
        self.on_hand = on_hand


def _positive(qty: int) -> None:
    if qty <= 0:
        raise InvalidStockMovement(f"quantity must be > 0, got {qty}")
