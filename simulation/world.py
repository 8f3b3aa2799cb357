"""The world a run stands on: the network (as the scenario adjusts it), the catalogue, the opening
stock and the transit matrix — built from the scenario's description, never changed by a run.

Building it costs a few seconds for 1,000 stores (geography, stock, matrix), so it is cached per
process by its description: replications and policy variants that share a network share a world,
and worker processes forked after it was built inherit it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from oms.catalogue import Catalogue
from oms.inventory import StockLevel
from scenarios.loader import ScenarioError
from scenarios.schema import NetworkSpec, Scenario
from warehouses.catalogue import size_share, style_popularity
from warehouses.generator import generate_catalogue, generate_network
from warehouses.geography import Geography, load_geography
from warehouses.nodes import Network, Node, NodeKind
from warehouses.opening_hours import parse_windows
from warehouses.population import nearest_index
from warehouses.regions import REGIONS, region_of
from warehouses.stock import StockTable, generate_stock, safety_stock_units
from warehouses.transit_matrix import TransitMatrix
from warehouses.transit_params import DEFAULT_TRANSIT_PARAMS, TransitParams

_CACHE: dict[str, "World"] = {}
_CACHE_SIZE = 4


@dataclass(frozen=True, eq=False)
class World:
    network: Network
    catalogue: Catalogue
    stock: StockTable
    matrix: TransitMatrix
    params: TransitParams

    @property
    def geography(self) -> Geography:
        return self.matrix.geography

    def opening_levels(self, shipping_only: bool = False) -> list[StockLevel]:
        """Fresh OMS stock records for a run (each run changes its own).

        With `shipping_only`, stock at stores that do not ship to consumers is left out: allocation
        can never use it (such a store is not eligible), nothing else in a run reads it (walk-in sales
        are simulated only where stores ship; only stores that shipped or sold are replenished), so
        leaving it out changes no decision — and an allocation wave then reads ~60 % fewer stock records."""
        ships = self.shipping_nodes
        return [StockLevel(node_id, sku, on_hand=qty, safety_stock=self.safety[node_id])
                for (node_id, sku), qty in self.stock.items() if not shipping_only or node_id in ships]

    @cached_property
    def shipping_nodes(self) -> frozenset[str]:
        """Nodes that ship to consumers: every warehouse, and the stores opted in to ship-from-store."""
        return frozenset(n.node_id for n in self.network.nodes if n.kind is not NodeKind.STORE or n.ship_to_home)

    @cached_property
    def stock_by_node(self) -> dict[str, dict[str, int]]:
        """Opening units per node and SKU: what replenishment restores."""
        found: dict[str, dict[str, int]] = {}
        for (node_id, sku), qty in self.stock.items():
            found.setdefault(node_id, {})[sku] = qty
        return found

    @cached_property
    def safety(self) -> dict[str, int]:
        return {n.node_id: safety_stock_units(n.kind) for n in self.network.nodes}

    # -- arrays the demand model draws from ------------------------------------------------------
    @cached_property
    def district_region(self) -> np.ndarray:
        return np.array([REGIONS.index(region_of(d.adcode)) for d in self.geography.districts], dtype=np.int8)

    @cached_property
    def district_region_name(self) -> tuple[str, ...]:
        return tuple(REGIONS[r] for r in self.district_region)

    def district_weight(self, tier_weight: dict[int, float]) -> np.ndarray:
        """Online orders per district: population × how much its city's tier buys online."""
        geo = self.geography
        tiers = np.array([geo.city(d.city_adcode).tier for d in geo.districts])
        factor = np.array([tier_weight.get(int(t), 1.0) for t in tiers])
        return geo.district_population.astype(float) * factor

    @cached_property
    def district_store(self) -> np.ndarray:
        """Index (into network.nodes) of the store nearest each district: where a social order is attributed."""
        stores = [i for i, n in enumerate(self.network.nodes) if n.kind is NodeKind.STORE]
        geo = self.geography
        if not stores:
            return np.full(len(geo.districts), -1, dtype=np.int32)
        lat = np.array([self.network.nodes[i].lat for i in stores])
        lon = np.array([self.network.nodes[i].lon for i in stores])
        nearest = nearest_index(geo.district_lat, geo.district_lon, lat, lon)
        return np.asarray(stores, dtype=np.int32)[nearest]

    @cached_property
    def sku_codes(self) -> tuple[str, ...]:
        return tuple(self.catalogue.skus)

    @cached_property
    def sku_category(self) -> np.ndarray:
        from oms.catalogue import CATEGORIES

        return np.array([CATEGORIES.index(s.category) for s in self.catalogue], dtype=np.int8)

    @cached_property
    def sku_weight(self) -> np.ndarray:
        """Each SKU's share of unit demand before any shift: style popularity × size curve × colours."""
        popularity = style_popularity(self.catalogue)
        colours: dict[str, set[str]] = {}
        for sku in self.catalogue:
            colours.setdefault(sku.style, set()).add(sku.colour)
        weight = np.array([popularity[s.style] * size_share(s) / len(colours[s.style]) for s in self.catalogue])
        return weight / weight.sum()


def build_world(spec: NetworkSpec, transit_overrides: dict | None = None) -> World:
    """The world a network description stands for (cached per process). Shifts are not part of it:
    they only set who is on duty during a run, so variants differing in shifts share a world."""
    key = spec.model_dump_json(exclude={"shifts"}) + repr(sorted((transit_overrides or {}).items()))
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _build(spec, DEFAULT_TRANSIT_PARAMS.with_overrides(transit_overrides or {}))
    return _CACHE[key]


def world_of(scenario: Scenario) -> World:
    world = build_world(scenario.network, scenario.fulfilment.transit)
    check_node_ids(scenario, world.network)
    return world


def check_node_ids(scenario: Scenario, network: Network) -> None:
    """Node ids a scenario names must exist: a clear error before the run, not a crash in it."""
    named = [(f"shocks.outages[{i}].node_id", o.node_id) for i, o in enumerate(scenario.shocks.outages)]
    named += [(f"network.nodes.{node_id}", node_id) for node_id in scenario.network.nodes]
    bad = [(key, f"no node {node_id!r} in the network") for key, node_id in named if node_id not in network]
    if bad:
        raise ScenarioError(scenario.name, bad)


def _build(spec: NetworkSpec, params: TransitParams) -> World:
    geography = load_geography()
    catalogue = generate_catalogue(spec.styles, spec.catalogue_seed)
    stock = None
    if spec.file is not None:
        from scenarios.network_file import load_network_file

        loaded = load_network_file(spec.file, geography=geography)
        network, stock = loaded.network, loaded.stock
    else:
        network = generate_network(spec.stores, spec.seed, spec.cloud_warehouses, geography)
    network = adjust_network(network, spec)
    if stock is None:
        stock = generate_stock(network, catalogue, spec.stock_seed)
    else:  # a file's stock may name SKUs of another catalogue: keep what this catalogue sells
        stock = StockTable({k: v for k, v in stock.items() if k[1] in catalogue})
    return World(network, catalogue, stock, TransitMatrix(network, geography, params), params)


def adjust_network(network: Network, spec: NetworkSpec) -> Network:
    """The network with the scenario's ship-from-store roll-out, staffing and per-node overrides
    (pickers, daily capacity, ship-from-store, opening hours). Shifts are applied by the run."""
    ship = _ship_from_store(network, spec)
    nodes = []
    for node in network.nodes:
        changes: dict = {}
        if node.node_id in ship:
            changes["ship_to_home"] = ship[node.node_id]
        factor = spec.staffing.get(node.kind.value)
        if factor is not None:
            changes["pickers"] = max(1, round(node.pickers * factor))
        override = spec.nodes.get(node.node_id)
        if override is not None:
            changes.update({k: v for k, v in override.model_dump().items() if v is not None})
            if override.opening_hours is not None:
                changes["opening_hours"] = parse_windows(override.opening_hours)
        nodes.append(dataclasses.replace(node, **changes) if changes else node)
    return Network(nodes, network.geography)


def _ship_from_store(network: Network, spec: NetworkSpec) -> dict[str, bool]:
    rollout = spec.ship_from_store
    stores = network.stores
    if rollout.mode == "as_generated":
        return {}
    if rollout.mode in ("none", "all"):
        return {n.node_id: rollout.mode == "all" for n in stores}
    biggest = sorted(stores, key=lambda n: (-n.floor_area_m2, n.node_id))[: rollout.largest_stores]
    chosen = {n.node_id for n in biggest}
    return {n.node_id: n.node_id in chosen for n in stores}


def node_kinds(network: Network) -> dict[str, str]:
    return {n.node_id: n.kind.value for n in network.nodes}


def serving_rdcs(network: Network) -> dict[str, str]:
    """Store → the RDC that replenishes it (its region's; Wuhan when that RDC is missing)."""
    fallback = network.rdcs[0].node_id if network.rdcs else None
    found: dict[str, str] = {}
    for store in network.stores:
        rdc: Node | None = network.serving_rdc(store.adcode)
        target = rdc.node_id if rdc is not None else fallback
        if target is not None:
            found[store.node_id] = target
    return found
