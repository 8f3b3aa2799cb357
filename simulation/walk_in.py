"""Walk-in customers at the tills of the stores that ship online: the stock is shared.

A customer comes to a store while it is open and takes one unit of a SKU it holds (chosen in
proportion to the store's opening stock) to the till: the OMS's own walk-in sale (`oms.sales`)
lowers on-hand at once, even when the unit was promised to an online order. The shelf is what
staff and customers can see: on-hand less the units already in a picker's basket (picking
started, not yet handed over). A customer finding the shelf empty leaves without buying; a picker
finding fewer units on the shelf than a line needs gives the line back (out of stock) and the OMS
re-allocates it, as it does for any rejection. Baskets never hold more than on-hand, so every
picked parcel can be handed over.

Arrivals, stores and SKUs come from their own stream, three numbers a customer whatever happens,
so two policies compared on one seed meet the same customers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulation.state import Sim, Ticket


@dataclass(eq=False)
class WalkIns:
    stores: list[str]  # stores that ship to consumers and hold stock
    skus: list[list[str]]  # per store: the SKUs it opened with
    cumulative: list[np.ndarray]  # per store: cumulative share of its opening units by SKU
    per_minute: float  # customers a minute over all stores, open or not (the closed ones' do not come)
    stream: np.random.Generator  # arrivals, stores and SKUs
    basket: dict[tuple[str, str], int] = field(default_factory=dict)  # units picked, not yet handed over
    sales: int = 0
    empty_shelf: int = 0  # customers who found nothing of what they wanted
    promised_units: int = 0  # units sold that an online order was waiting for
    short_lines: int = 0  # lines pickers found short because the shelf had been sold down

    @classmethod
    def of(cls, sim: "Sim", per_store_hour: float, stream: np.random.Generator) -> "WalkIns":
        ships = sim.world.shipping_nodes
        stores, skus, cumulative = [], [], []
        for node_id, floor in sim.floors.items():
            stock = sim.world.stock_by_node.get(node_id, {})
            if floor.kind == "store" and node_id in ships and sum(stock.values()) > 0:
                names = sorted(stock)
                units = np.array([stock[s] for s in names], dtype=float)
                stores.append(node_id)
                skus.append(names)
                cumulative.append(np.cumsum(units) / units.sum())
        return cls(stores, skus, cumulative, per_store_hour * len(stores) / 60.0, stream)

    def shelf(self, sim: "Sim", node_id: str, sku: str) -> int:
        level = sim.gateway.stored_level(node_id, sku)
        return (level.on_hand if level is not None else 0) - self.basket.get((node_id, sku), 0)

    def customer(self, sim: "Sim", u_store: float, u_sku: float) -> None:
        """One customer at the store and SKU the two numbers pick, if the store is open."""
        i = min(int(u_store * len(self.stores)), len(self.stores) - 1)
        node_id = self.stores[i]
        floor = sim.floors[node_id]
        if floor.available_from(sim.env.now) > sim.env.now:  # closed or down: nobody comes in
            return
        sku = self.skus[i][min(int(np.searchsorted(self.cumulative[i], u_sku, side="right")), len(self.skus[i]) - 1)]
        if self.shelf(sim, node_id, sku) <= 0:
            self.empty_shelf += 1
            return
        self.sales += 1
        promised_before = _over_promised(sim.gateway.stored_level(node_id, sku))
        sim.sell_at_till(node_id, f"till-{self.sales}", sku)
        self.promised_units += _over_promised(sim.gateway.stored_level(node_id, sku)) - promised_before

    def short_lines_of(self, sim: "Sim", t: "Ticket", missing: set[int]) -> list[int]:
        """Lines, besides `missing`, the shelf cannot fill as the picker starts; every other line's units
        go into the basket."""
        node_id, short = t.floor.node.node_id, []
        for line_no, sku, qty in t.lines:
            if line_no in missing:
                continue
            if self.shelf(sim, node_id, sku) < qty:
                short.append(line_no)
            else:
                self.basket[(node_id, sku)] = self.basket.get((node_id, sku), 0) + qty
                t.in_basket = True
        self.short_lines += len(short)
        return short

    def out_of_basket(self, t: "Ticket") -> None:
        """The ticket's units leave the basket: handed over or withdrawn (lines given back never went in)."""
        if not t.in_basket:
            return
        node_id, t.in_basket = t.floor.node.node_id, False
        for _, sku, qty in t.lines:
            left = self.basket.get((node_id, sku), 0) - qty
            if left > 0:
                self.basket[(node_id, sku)] = left
            else:
                self.basket.pop((node_id, sku), None)

    def stats(self) -> dict:
        return {"walk_in_sales": self.sales, "walk_in_empty_shelf": self.empty_shelf,
                "walk_in_promised_units_sold": self.promised_units, "lines_short_after_walk_in": self.short_lines}


def _over_promised(level) -> int:
    """Units promised online beyond what is on hand."""
    return max(0, level.reserved - level.on_hand)


def walk_in_customers(sim: "Sim", walk_ins: WalkIns, until_minute: float):
    """Customers arrive at the stores' tills as a Poisson stream until the demand window closes."""
    env, rng = sim.env, walk_ins.stream
    if walk_ins.per_minute <= 0:
        return
    while True:
        wait, u_store, u_sku = rng.exponential(1.0 / walk_ins.per_minute), rng.random(), rng.random()
        if env.now + wait >= until_minute:
            return
        yield env.timeout(wait)
        walk_ins.customer(sim, u_store, u_sku)
