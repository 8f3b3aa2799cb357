"""Bulk loading of reference data: the catalogue, the network's nodes and initial stock."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Engine, delete, insert

from oms.catalogue import Catalogue
from oms.inventory import StockLevel
from oms.persistence import tables as t

BATCH = 5_000


def load_catalogue(engine: Engine, catalogue: Catalogue, *, replace: bool = True) -> int:
    rows = [dict(code=s.code, style=s.style, colour=s.colour, size=s.size, category=s.category,
                 price_fen=s.price_fen, weight_g=s.weight_g, barcode=s.barcode) for s in catalogue]
    return _load(engine, t.skus, rows, replace)


def load_stock(engine: Engine, levels: Iterable[StockLevel], *, replace: bool = True) -> int:
    rows = [dict(node_id=lv.node_id, sku_code=lv.sku_code, on_hand=lv.on_hand, reserved=lv.reserved,
                 safety_stock=lv.safety_stock) for lv in levels]
    return _load(engine, t.stock, rows, replace)


def load_nodes(engine: Engine, nodes: Iterable[dict], *, replace: bool = True) -> int:
    """Nodes as dicts with at least node_id, kind and name; the whole dict is kept as the node's spec."""
    rows = [dict(node_id=n["node_id"], kind=n["kind"], name=n["name"], spec=n) for n in nodes]
    return _load(engine, t.nodes, rows, replace)


def _load(engine: Engine, table, rows: list[dict], replace: bool) -> int:
    with engine.begin() as conn:
        if replace:
            conn.execute(delete(table))
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start:start + BATCH])
    return len(rows)
