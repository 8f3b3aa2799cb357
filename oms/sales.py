"""Walk-in sales at a store's till. Online and offline share the store's stock, so every POS sale
lowers on-hand at once and online ATP stays true.

A sale can take units that were promised to an online order (the customer in front of the till
wins). The sale still goes through; the answer names the reservations now at risk so operations
can re-allocate them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from oms.exceptions import InsufficientStock, InvalidAction
from oms.idempotency import key_for, replayed
from oms.inventory import StockLevel
from oms.orders import Order
from oms.unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class SaleLine:
    sku_code: str
    quantity: int


@dataclass(frozen=True)
class RecordSale:
    """One till receipt; the receipt id is the idempotency key (tills re-send on bad Wi-Fi)."""

    node_id: str
    receipt_id: str
    lines: tuple[SaleLine, ...]
    actor: str | None = None


@dataclass(frozen=True)
class SaleResult:
    receipt_id: str
    node_id: str
    stock: list[dict]  # per SKU: sold, on_hand and atp after the sale
    at_risk: list[dict]  # per SKU: reserved units no longer on the shelf, and the shipments holding them
    replayed: bool = False

    def as_outcome(self) -> dict:
        return {"receipt_id": self.receipt_id, "node_id": self.node_id, "stock": self.stock, "at_risk": self.at_risk}


def record_sale(cmd: RecordSale, uow: AbstractUnitOfWork, *, now: datetime) -> SaleResult:
    sold = Counter()
    for i, line in enumerate(cmd.lines):
        if line.quantity <= 0:
            raise InvalidAction(f"quantity must be > 0, got {line.quantity}", field=f"lines[{i}].quantity")
        sold[line.sku_code] += line.quantity
    key = key_for(cmd, node_id=cmd.node_id, request_id=f"receipt:{cmd.receipt_id}", ref=f"sale:{cmd.receipt_id}",
                  at=now)
    with uow:
        levels = uow.stock.get_many((cmd.node_id, sku) for sku in sold)
        if (stored := replayed(uow, key)) is not None:
            return SaleResult(**stored.outcome, replayed=True)
        for sku, qty in sold.items():
            _level(levels, cmd.node_id, sku, cmd.lines).sell(qty)
        short = {sku: levels[(cmd.node_id, sku)].reserved - levels[(cmd.node_id, sku)].on_hand
                 for sku in sold if levels[(cmd.node_id, sku)].reserved > levels[(cmd.node_id, sku)].on_hand}
        at_risk = _at_risk(uow.orders.with_open_shipments(cmd.node_id), cmd.node_id, short) if short else []
        for level in levels.values():
            uow.stock.save(level)
        result = SaleResult(cmd.receipt_id, cmd.node_id, at_risk=at_risk, stock=[
            {"sku": sku, "sold": qty, "on_hand": levels[(cmd.node_id, sku)].on_hand,
             "atp": levels[(cmd.node_id, sku)].atp} for sku, qty in sorted(sold.items())])
        key.outcome = result.as_outcome()
        uow.actions.add(key)
        uow.commit()
    return result


def _level(levels: dict, node_id: str, sku: str, lines) -> StockLevel:
    level = levels.get((node_id, sku))
    if level is None:
        index = next(i for i, ln in enumerate(lines) if ln.sku_code == sku)
        raise InsufficientStock(f"node {node_id} has no {sku} on record; count the shelf before selling it",
                                field=f"lines[{index}].sku")
    return level


def _at_risk(orders: list[Order], node_id: str, short: dict[str, int]) -> list[dict]:
    """Which open shipments hold the missing units: not-yet-picked ones first (picked units are
    already in a basket), most recently allocated first (the oldest promises keep their stock)."""
    found = []
    for sku, units in sorted(short.items()):
        holders = [(o, s, ln) for o in orders for s in o.shipments if s.is_open and s.node_id == node_id
                   for ln in s.lines if ln.sku_code == sku]
        holders.sort(key=lambda h: (h[2].picked_qty > 0, -(h[1].created_at or h[0].received_at).timestamp()))
        covered, ids = 0, []
        for order, shipment, line in holders:
            if covered >= units:
                break
            ids.append(f"{order.id}-{shipment.shipment_no}")
            covered += line.quantity
        found.append({"sku": sku, "units": units, "shipments": ids})
    return found
