"""What a customer's payment becomes: the channel order the OMS receives (`PlaceOrder`), as a channel
adapter would hand it over — generated orders get "SIM…" ids, replayed ones keep their own."""
from __future__ import annotations

from oms.commands import AddressCmd, LineCmd, PlaceOrder
from oms.orders import CHANNELS
from simulation.demand import Demand
from simulation.floor import SimClock
from simulation.world import World

SOCIAL_WITH_STORE = ("guide", "mall")  # orders attributed to a store (and, for guides, a guide)


class ChannelFeed:
    def __init__(self, demand: Demand, world: World, clock: SimClock):
        self.demand, self.world, self.clock = demand, world, clock
        self._lines: dict[tuple, LineCmd] = {}  # commands are immutable: one object per distinct line
        self._addresses: dict[int, AddressCmd] = {}

    def command(self, k: int) -> PlaceOrder:
        d = self.demand
        channel = CHANNELS[int(d.channel[k])] if d.channel[k] >= 0 else "unknown"
        store = self.world.network.nodes[int(d.store[k])].node_id if d.store[k] >= 0 else None
        lines = tuple(self._line(int(d.line_sku[i]), int(d.line_qty[i]),
                                 None if d.line_paid_fen is None else int(d.line_paid_fen[i]))
                      for i in range(d.line_start[k], d.line_start[k + 1]))
        return PlaceOrder(channel=channel, channel_order_id=d.channel_order_ids[k] if d.channel_order_ids else f"SIM{k:08d}",
                          address=self._address(k), lines=lines, paid_at=self.clock.at(float(d.paid_minute[k])),
                          store_id=store if channel in SOCIAL_WITH_STORE else None,
                          guide_id=f"G-{store}-{k % 7}" if channel == "guide" and store else None)

    def _line(self, sku: int, qty: int, paid: int | None) -> LineCmd:
        key = (sku, qty, paid)
        if key not in self._lines:
            code = self.demand.sku_codes[sku]
            known = self.world.catalogue.skus.get(code)
            paid_fen = paid if paid is not None else (known.price_fen * qty if known else 0)
            self._lines[key] = LineCmd(sku_code=code, quantity=qty, unit_price_fen=paid_fen // max(qty, 1),
                                       paid_fen=paid_fen)
        return self._lines[key]

    def _address(self, k: int) -> AddressCmd:
        if self.demand.addresses is not None:
            return AddressCmd(*self.demand.addresses[k])
        d = int(self.demand.district[k])
        if d not in self._addresses:
            district = self.world.geography.districts[d]
            self._addresses[d] = AddressCmd(district.province, district.city, district.name,
                                            f"{district.name}幸福路88号")
        return self._addresses[d]
