"""A synthetic network shaped like the brand's: ~1,000 stores, four RDCs, a few cloud warehouses.

`generate_network(stores, seed)` is deterministic in (stores, seed): one numpy
Generator drives every draw, in a fixed order.

* **Stores** go to cities in proportion to ``population ** CITY_POPULATION_EXPONENT ×
  TIER_WEIGHT[tier]`` (tier-1 and new tier-1 cities get many, small cities a few),
  then to districts within the city by population, a couple of km around the
  district centre. Floor area is lognormal, larger in bigger-tier cities.
  ``FRANCHISE_SHARE`` of stores are franchised, drawn more often in lower tiers.
  Ship-from-store opt-in is likelier the bigger the store; same-city riders are
  offered mostly in tier-1 to tier-2 cities. All stores have a daily courier
  pickup, so turning ship-from-store on in a scenario is just the flag.
* **RDCs** at Wuhan (24 h), Xushui/Baoding, Chengdu and Shenyang (two shifts).
* **Cloud warehouses** (3PL, express only) around Shanghai, Guangzhou, Hangzhou….
"""
from __future__ import annotations

from datetime import time

import numpy as np

from warehouses.admin_divisions import City
from warehouses.catalogue import generate_catalogue  # noqa: F401  (re-exported: generator.generate_catalogue)
from warehouses.geography import Geography, load_geography
from warehouses.nodes import Network, Node, NodeKind, Owner
from warehouses.opening_hours import ALL_DAY, open_hours_per_day

CITY_POPULATION_EXPONENT = 0.8
TIER_WEIGHT = {1: 2.0, 2: 1.6, 3: 1.3, 4: 1.0, 5: 0.8, 6: 0.6}  # stores per head, relative
FRANCHISE_SHARE = 0.30
FRANCHISE_TIER_WEIGHT = {1: 0.3, 2: 0.5, 3: 0.8, 4: 1.0, 5: 1.3, 6: 1.6}  # franchisees run smaller cities
MEDIAN_FLOOR_AREA_M2 = {1: 260, 2: 230, 3: 200, 4: 180, 5: 160, 6: 140}
RIDER_SHARE_BY_TIER = {1: 0.8, 2: 0.8, 3: 0.7, 4: 0.4, 5: 0.15, 6: 0.1}
STORE_HOURS = (((time(10), time(22)),), ((time(9), time(21, 30)),), ((time(10), time(21)),))  # mall, street, outlet
STORE_HOURS_SHARE = (0.6, 0.3, 0.1)
ONLINE_SHARE_OF_STAFF_TIME = 0.25  # store staff serve walk-in customers first
UNITS_PER_ORDER = 1.5
JITTER_DEG = 0.02  # ~2 km around the district centre

TWO_SHIFTS = ((time(7), time(15)), (time(15), time(23)))
# (node_id, name, city, district, opening hours, pickers, units/hour/picker, orders/day, carrier pickups)
RDC_SITES = (
    ("RDC-WUHAN", "武汉RDC", "武汉市", "东西湖区", ALL_DAY, 240, 120.0, 60_000, (time(10), time(14), time(18), time(21))),
    ("RDC-XUSHUI", "徐水RDC", "保定市", "徐水区", TWO_SHIFTS, 160, 120.0, 40_000, (time(12), time(17), time(21))),
    ("RDC-CHENGDU", "成都RDC", "成都市", "新都区", TWO_SHIFTS, 160, 120.0, 40_000, (time(12), time(17), time(21))),
    ("RDC-SHENYANG", "沈阳RDC", "沈阳市", "于洪区", TWO_SHIFTS, 100, 110.0, 25_000, (time(12), time(17), time(21))),
)
CLOUD_SITES = (
    ("CLOUD-SHANGHAI", "上海嘉定云仓", "上海市", "嘉定区"),
    ("CLOUD-GUANGZHOU", "广州白云云仓", "广州市", "白云区"),
    ("CLOUD-HANGZHOU", "杭州萧山云仓", "杭州市", "萧山区"),
    ("CLOUD-TIANJIN", "天津武清云仓", "天津市", "武清区"),
    ("CLOUD-XIAN", "西安未央云仓", "西安市", "未央区"),
    ("CLOUD-ZHENGZHOU", "郑州中牟云仓", "郑州市", "中牟县"),
)
CLOUD_HOURS = ((time(8), time(23)),)
CLOUD_CUTOFFS = (time(12), time(18), time(21))


def generate_network(stores: int, seed: int, cloud_warehouses: int = 3,
                     geography: Geography | None = None) -> Network:
    """A network of `stores` stores, the four RDCs and `cloud_warehouses` cloud warehouses."""
    if stores < 0:
        raise ValueError(f'"stores" must be >= 0, got {stores}.')
    if not 0 <= cloud_warehouses <= len(CLOUD_SITES):
        raise ValueError(f'"cloud_warehouses" must be between 0 and {len(CLOUD_SITES)}, got {cloud_warehouses}.')
    geo = geography or load_geography()
    rng = np.random.default_rng(seed)
    warehouses = [_rdc(geo, *site) for site in RDC_SITES]
    warehouses += [_cloud(geo, *site) for site in CLOUD_SITES[:cloud_warehouses]]
    return Network([*_stores(geo, stores, rng), *warehouses], geo)


def _warehouse_base(geo: Geography, city_name: str, district_name: str) -> dict:
    city = geo.city_named(city_name)
    district = next(d for d in geo.districts_of(city.adcode) if d.name == district_name)
    return dict(owner=Owner.BRAND, province=district.province, city=district.city, district=district.name,
                adcode=district.adcode, lat=district.lat, lon=district.lon, ship_to_home=True)


def _rdc(geo, node_id, name, city, district, hours, pickers, rate, capacity, cutoffs) -> Node:
    return Node(node_id=node_id, name=name, kind=NodeKind.RDC, opening_hours=hours, pickers=pickers,
                pick_rate_units_per_hour=rate, daily_order_capacity=capacity, carrier_cutoffs=cutoffs,
                **_warehouse_base(geo, city, district))


def _cloud(geo, node_id, name, city, district) -> Node:
    return Node(node_id=node_id, name=name, kind=NodeKind.CLOUD, opening_hours=CLOUD_HOURS, pickers=60,
                pick_rate_units_per_hour=100.0, daily_order_capacity=15_000, carrier_cutoffs=CLOUD_CUTOFFS,
                **_warehouse_base(geo, city, district))


def _stores(geo: Geography, n: int, rng: np.random.Generator) -> list[Node]:
    if n == 0:
        return []
    store_cities, districts = _place_stores(geo, n, rng)
    lat = np.array([d.lat for d in districts]) + rng.normal(0, JITTER_DEG, n)
    lon = np.array([d.lon for d in districts]) + rng.normal(0, JITTER_DEG, n)
    traits = _store_traits(np.array([c.tier for c in store_cities]), rng)
    width = max(4, len(str(n)))
    counters: dict[str, int] = {}
    nodes = []
    for i, (city, district) in enumerate(zip(store_cities, districts)):
        hours, area, franchised = STORE_HOURS[traits["hours"][i]], int(traits["area"][i]), traits["franchised"][i]
        pickers, rate = int(traits["pickers"][i]), float(traits["rate"][i])
        capacity = pickers * rate * open_hours_per_day(hours) * ONLINE_SHARE_OF_STAFF_TIME / UNITS_PER_ORDER
        counters[district.adcode] = counters.get(district.adcode, 0) + 1
        label = f"{'加盟店' if franchised else '直营店'}{counters[district.adcode]:02d}"
        nodes.append(Node(
            node_id=f"ST{i + 1:0{width}d}", name=f"{city.name}{district.name}{label}", kind=NodeKind.STORE,
            owner=Owner.FRANCHISEE if franchised else Owner.BRAND, province=district.province, city=district.city,
            district=district.name, adcode=district.adcode, lat=round(float(lat[i]), 6),
            lon=round(float(lon[i]), 6), opening_hours=hours, pickers=pickers, pick_rate_units_per_hour=rate,
            daily_order_capacity=int(5 * round(capacity / 5)),
            carrier_cutoffs=(time(12), time(18)) if area > 400 else (time(18),),
            ship_to_home=bool(traits["ship_to_home"][i]), same_city_rider=bool(traits["rider"][i]),
            floor_area_m2=area))
    return nodes


def _place_stores(geo: Geography, n: int, rng: np.random.Generator) -> tuple[list[City], list]:
    """Each store's city (by weighted population and tier) and district (by population)."""
    cities = list(geo.cities)
    weight = np.array([max(c.population, 1) ** CITY_POPULATION_EXPONENT * TIER_WEIGHT[c.tier] for c in cities])
    per_city = rng.multinomial(n, weight / weight.sum())
    store_cities = [c for c, k in zip(cities, per_city) for _ in range(k)]
    return store_cities, [_pick_district(geo, city, rng) for city in store_cities]


def _store_traits(tiers: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Floor area, ownership, opt-ins, hours and staffing of each store, as arrays."""
    n = len(tiers)
    median_area = np.array([MEDIAN_FLOOR_AREA_M2[t] for t in tiers])
    area = np.clip(np.rint(median_area * rng.lognormal(0, 0.45, n)), 60, 2000).astype(int)
    franchise_weight = np.array([FRANCHISE_TIER_WEIGHT[t] for t in tiers])
    franchised = np.zeros(n, dtype=bool)
    franchised[rng.choice(n, size=round(n * FRANCHISE_SHARE), replace=False,
                          p=franchise_weight / franchise_weight.sum())] = True
    size_rank = area.argsort().argsort() / max(n - 1, 1)  # 0 = smallest store, 1 = biggest
    return dict(
        area=area, franchised=franchised,
        ship_to_home=rng.random(n) < (0.1 + 0.6 * size_rank) * np.where(franchised, 0.75, 1.0),
        rider=rng.random(n) < np.array([RIDER_SHARE_BY_TIER[t] for t in tiers]),
        hours=rng.choice(len(STORE_HOURS), size=n, p=STORE_HOURS_SHARE),
        rate=np.rint(rng.uniform(20, 36, n)),
        pickers=1 + (area > 200) + (area > 400) + (area > 800))


def _pick_district(geo: Geography, city: City, rng: np.random.Generator):
    candidates = [d for d in geo.districts_of(city.adcode) if d.coords_from == "district"] \
        or list(geo.districts_of(city.adcode))
    weight = np.array([max(d.population, 1) for d in candidates], dtype=float)
    return candidates[rng.choice(len(candidates), p=weight / weight.sum())]

