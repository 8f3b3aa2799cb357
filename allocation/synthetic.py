"""A seeded synthetic network and order batch, for tests and the allocation benchmark.

A stand-in until the real network generator (`warehouses/generator.py`) lands:
~1,000 stores in ~300 cities clustered around China's big cities, the four
RDCs (Wuhan, Xushui, Chengdu, Shenyang), three cloud warehouses, ~5,000 SKUs
(style × colour × size, broken size runs in stores) and multi-line orders.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from allocation.lanes import GeometricLanes
from allocation.problem import Destination, LineToAllocate, NodeState, OrderToAllocate, Stock

BIG_CITIES = {  # name: (lat, lon, weight)
    "Shanghai": (31.23, 121.47, 10), "Beijing": (39.90, 116.41, 10), "Guangzhou": (23.13, 113.26, 8),
    "Shenzhen": (22.54, 114.06, 8), "Chengdu": (30.66, 104.07, 7), "Chongqing": (29.56, 106.55, 7),
    "Wuhan": (30.59, 114.31, 6), "Hangzhou": (30.27, 120.16, 6), "Xian": (34.34, 108.94, 5),
    "Nanjing": (32.06, 118.80, 5), "Tianjin": (39.13, 117.20, 5), "Suzhou": (31.30, 120.59, 5),
    "Zhengzhou": (34.75, 113.63, 5), "Changsha": (28.23, 112.94, 4), "Shenyang": (41.80, 123.43, 4),
    "Qingdao": (36.07, 120.38, 4), "Jinan": (36.65, 117.12, 3), "Harbin": (45.80, 126.53, 3),
    "Kunming": (25.04, 102.71, 3), "Hefei": (31.82, 117.23, 3), "Fuzhou": (26.07, 119.30, 3),
    "Xiamen": (24.48, 118.09, 3), "Dalian": (38.91, 121.61, 3), "Shijiazhuang": (38.04, 114.51, 3),
    "Nanning": (22.82, 108.37, 2), "Guiyang": (26.65, 106.63, 2), "Nanchang": (28.68, 115.86, 2),
    "Taiyuan": (37.87, 112.55, 2), "Changchun": (43.82, 125.32, 2), "Lanzhou": (36.06, 103.83, 1),
    "Urumqi": (43.83, 87.62, 1), "Hohhot": (40.84, 111.75, 1), "Baoding": (38.87, 115.46, 2),
}
RDCS = {"RDC-WUHAN": "Wuhan", "RDC-XUSHUI": "Baoding", "RDC-CHENGDU": "Chengdu", "RDC-SHENYANG": "Shenyang"}
CLOUDS = {"CLOUD-EAST": "Suzhou", "CLOUD-SOUTH": "Guangzhou", "CLOUD-NORTH": "Tianjin"}
FAMILIES = ("footwear", "apparel", "accessories", "bags", "socks")
FAMILY_SIZES = {"footwear": 7, "apparel": 5, "accessories": 1, "bags": 1, "socks": 3}
FAMILY_VALUE_FEN = {"footwear": (29900, 69900), "apparel": (9900, 59900), "accessories": (3900, 12900),
                    "bags": (9900, 29900), "socks": (1900, 5900)}
CHANNELS = {"mini_program": 0.35, "tmall": 0.25, "jd": 0.15, "douyin": 0.15, "wecom_guide": 0.10}


@dataclass(frozen=True, eq=False)
class SyntheticNetwork:
    nodes: tuple[NodeState, ...]
    stock: Stock
    lanes: GeometricLanes
    city_names: tuple[str, ...]
    district_weight: np.ndarray
    sku_family: tuple[str, ...]
    sku_value_fen: np.ndarray
    sku_style: np.ndarray
    sku_popularity: np.ndarray


def _cities(rng: np.random.Generator, n_cities: int):
    names, lat, lon, w = [], [], [], []
    for name, (a, b, wt) in BIG_CITIES.items():
        names.append(name); lat.append(a); lon.append(b); w.append(wt * 6.0)
    big = list(BIG_CITIES.values())
    while len(names) < n_cities:
        a, b, wt = big[rng.integers(len(big))]
        names.append(f"City{len(names):03d}")
        lat.append(a + rng.normal(0, 1.6)); lon.append(b + rng.normal(0, 1.8)); w.append(rng.uniform(0.3, 2.0))
    return names, np.array(lat), np.array(lon), np.array(w)


def synthetic_network(seed: int = 7, n_stores: int = 1000, n_skus: int = 5000, n_cities: int = 300,
                      demand_units: int = 170_000, tight: bool = False) -> SyntheticNetwork:
    """`demand_units` sizes warehouse stock and capacity to the batch; `tight` makes capacity scarce."""
    rng = np.random.default_rng(seed)
    names, clat, clon, cw = _cities(rng, n_cities)
    n_cities = len(names)  # the big cities are always there
    n_d = rng.integers(3, 9, size=n_cities)
    d_city = np.repeat(np.arange(n_cities), n_d)
    d_lat = clat[d_city] + rng.normal(0, 0.06, len(d_city))
    d_lon = clon[d_city] + rng.normal(0, 0.07, len(d_city))
    d_w = cw[d_city] / n_d[d_city] * rng.uniform(0.5, 1.5, len(d_city))
    sku_family, sku_value, sku_style, pop = _catalogue(rng, n_skus)
    store_city = rng.choice(n_cities, size=n_stores, p=cw**0.9 / (cw**0.9).sum())
    node_ids = [f"S{i:04d}" for i in range(n_stores)] + list(RDCS) + list(CLOUDS)
    city_of = list(store_city) + [names.index(c) for c in RDCS.values()] + [names.index(c) for c in CLOUDS.values()]
    n_lat = clat[city_of] + rng.normal(0, 0.05, len(city_of))
    n_lon = clon[city_of] + rng.normal(0, 0.06, len(city_of))
    lanes = GeometricLanes(tuple(node_ids), n_lat, n_lon, np.array(city_of), d_lat, d_lon, d_city)
    nodes = _nodes(rng, node_ids, [names[c] for c in city_of], n_stores, demand_units, tight)
    stock = _stock(rng, node_ids, n_stores, sku_family, sku_style, pop, demand_units)
    return SyntheticNetwork(tuple(nodes), stock, lanes, tuple(names), d_w / d_w.sum(),
                            tuple(sku_family), sku_value, sku_style, pop)


def _catalogue(rng: np.random.Generator, n_skus: int):
    fam, val, style, pop = [], [], [], []
    s = 0
    while len(fam) < n_skus:
        f = FAMILIES[rng.choice(len(FAMILIES), p=[0.35, 0.4, 0.1, 0.08, 0.07])]
        price = int(rng.integers(*FAMILY_VALUE_FEN[f]) // 100 * 100)
        style_pop = 1.0 / (s + 1) ** 0.9
        sizes = FAMILY_SIZES[f]
        size_w = np.exp(-0.5 * ((np.arange(sizes) - (sizes - 1) / 2) / max(sizes / 3, 0.5)) ** 2)
        for _colour in range(rng.integers(1, 4)):
            for z in range(sizes):
                fam.append(f); val.append(price); style.append(s); pop.append(style_pop * size_w[z])
        s += 1
    pop_a = np.array(pop[:n_skus])
    return fam[:n_skus], np.array(val[:n_skus]), np.array(style[:n_skus]), pop_a / pop_a.sum()


def _nodes(rng, node_ids, cities, n_stores, demand_units, tight) -> list[NodeState]:
    orders_hint = demand_units / 1.7
    nodes = []
    for i, nid in enumerate(node_ids):
        if i < n_stores:
            parcels = int(rng.integers(2, 9) if tight else rng.integers(15, 61))
            bad = rng.random() < 0.1
            rate = float(rng.uniform(0.15, 0.3) if bad else rng.beta(1, 30))
            nodes.append(NodeState(nid, "store", "franchisee" if rng.random() < 0.35 else "brand", cities[i],
                                   is_open=rng.random() < 0.98, eligible=rng.random() < 0.85,
                                   remaining_parcels=parcels, remaining_pick_units=2 * parcels + 2,
                                   handover_lead_hours=float(rng.uniform(1.5, 3.0)), rejection_rate={"*": rate}))
        else:
            kind = "rdc" if nid in RDCS else "cloud"
            share = (0.13 if kind == "rdc" else 0.05) if tight else (0.3 if kind == "rdc" else 0.12)
            parcels = max(int(orders_hint * share), 5)
            nodes.append(NodeState(nid, kind, "brand", cities[i], remaining_parcels=parcels,
                                   remaining_pick_units=int(parcels * 2.2),
                                   handover_lead_hours=4.0 if kind == "rdc" else 3.0, rejection_rate={"*": 0.002}))
    return nodes


def _stock(rng, node_ids, n_stores, sku_family, sku_style, pop, demand_units) -> Stock:
    n_skus = len(pop)
    atp = np.zeros((len(node_ids), n_skus), dtype=np.int64)
    safety = np.zeros_like(atp)
    n_wh = len(node_ids) - n_stores
    per_wh = np.maximum(1.1 * demand_units * pop / n_wh, 1.5)  # every warehouse SKU is stocked a little
    atp[n_stores:] = rng.poisson(np.broadcast_to(per_wh, (n_wh, n_skus))) * (rng.random((n_wh, n_skus)) < 0.93)
    styles = np.unique(sku_style)
    style_pop = np.bincount(sku_style, weights=pop)
    for i in range(n_stores):
        held = rng.choice(styles, size=min(70, len(styles)), replace=False, p=style_pop / style_pop.sum())
        skus = np.flatnonzero(np.isin(sku_style, held) & (rng.random(n_skus) < 0.6))  # broken size runs
        atp[i, skus] = rng.integers(1, 4, size=len(skus))
        safety[i, skus] = (rng.random(len(skus)) < 0.4).astype(np.int64)
    return Stock(tuple(node_ids), tuple(f"SKU{j:05d}" for j in range(n_skus)), atp, safety)


def synthetic_orders(net: SyntheticNetwork, n_orders: int, seed: int = 11,
                     now: datetime = datetime(2024, 11, 11, 12, tzinfo=timezone.utc)) -> tuple[OrderToAllocate, ...]:
    rng = np.random.default_rng(seed)
    n_lines = rng.choice([1, 2, 3, 4, 5, 6], size=n_orders, p=[0.62, 0.24, 0.09, 0.03, 0.015, 0.005])
    dests = rng.choice(len(net.district_weight), size=n_orders, p=net.district_weight)
    chans = rng.choice(list(CHANNELS), size=n_orders, p=list(CHANNELS.values()))
    total = int(n_lines.sum())
    first = rng.choice(len(net.sku_popularity), size=total, p=net.sku_popularity)
    qty = rng.choice([1, 2, 3], size=total, p=[0.92, 0.07, 0.01])
    same_style = rng.random(total) < 0.4
    paid_h = rng.uniform(0, 4, size=n_orders)
    split_ok = rng.random(n_orders) < 0.25
    by_style = {}
    for j, s in enumerate(net.sku_style.tolist()):
        by_style.setdefault(s, []).append(j)
    orders, pos = [], 0
    for o in range(n_orders):
        lines, used = [], set()
        for k in range(int(n_lines[o])):
            sku = int(first[pos + k])
            if k and same_style[pos + k]:
                sib = by_style[int(net.sku_style[lines[0][0]])]
                sku = sib[int(rng.integers(len(sib)))]
            if sku in used:
                continue
            used.add(sku)
            lines.append((sku, int(qty[pos + k])))
        pos += int(n_lines[o])
        paid = now - timedelta(hours=float(paid_h[o]))
        city = net.city_names[int(net.lanes.district_city[dests[o]])]
        orders.append(OrderToAllocate(
            f"O{o:06d}", str(chans[o]),
            tuple(LineToAllocate(f"O{o:06d}-{i}", net.stock.skus[s], q, int(net.sku_value_fen[s]), net.sku_family[s])
                  for i, (s, q) in enumerate(lines)),
            Destination(int(dests[o]), city), paid, paid + timedelta(hours=24), bool(split_ok[o])))
    return tuple(orders)
