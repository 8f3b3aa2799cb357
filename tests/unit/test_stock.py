"""Opening stock: deterministic, with apparel's broken size runs in stores and depth in RDCs."""
import numpy as np
import pytest

from oms.inventory import StockLevel
from warehouses.generator import generate_catalogue, generate_network
from warehouses.nodes import NodeKind
from warehouses.stock import STORE_MAX_UNITS_PER_SKU, StockTable, generate_stock, safety_stock_units


@pytest.fixture(scope="module")
def world():
    network = generate_network(stores=40, seed=3)
    catalogue = generate_catalogue(styles=80, seed=3)
    return network, catalogue, generate_stock(network, catalogue, seed=3)


def units_by_kind(world, kind):
    network, _, stock = world
    return [qty for (node_id, _), qty in stock.items() if network.node(node_id).kind is kind]


def test_the_same_seed_gives_the_same_stock(world):
    network, catalogue, stock = world
    assert dict(generate_stock(network, catalogue, seed=3)) == dict(stock)
    assert dict(generate_stock(network, catalogue, seed=4)) != dict(stock)


def test_stores_hold_zero_to_three_units_of_a_subset_of_styles(world):
    network, catalogue, stock = world
    assert max(units_by_kind(world, NodeKind.STORE)) <= STORE_MAX_UNITS_PER_SKU
    styles = {sku.style for sku in catalogue}
    for store in network.stores:
        held = {code.rsplit("-", 2)[0] for code in stock.at_node(store.node_id)}
        assert 0 < len(held) < len(styles)


def test_stores_often_miss_sizes_of_the_style_colours_they_carry(world):
    network, catalogue, stock = world
    sizes = {}
    for sku in catalogue:
        sizes.setdefault((sku.style, sku.colour), set()).add(sku.size)
    broken = complete = 0
    for store in network.stores:
        carried = {}
        for code in stock.at_node(store.node_id):
            style, colour, size = code.rsplit("-", 2)
            carried.setdefault((style, colour), set()).add(size)
        for key, held in carried.items():
            if len(sizes[key]) > 2:
                broken += held < sizes[key]
                complete += held == sizes[key]
    assert broken > 3 * complete


def test_rdcs_are_deep_and_clouds_moderate(world):
    rdc, cloud, store = (np.mean(units_by_kind(world, k)) for k in (NodeKind.RDC, NodeKind.CLOUD, NodeKind.STORE))
    assert rdc > 30 and 8 < cloud < rdc and store < 3
    network, catalogue, stock = world
    wuhan = stock.at_node("RDC-WUHAN")
    assert len(wuhan) > 0.9 * len(catalogue)  # nearly the whole range, a few stock-outs
    assert max(wuhan.values()) >= 100


def test_down_jackets_sit_deeper_in_the_north_than_in_the_south():
    network = generate_network(stores=0, seed=1, cloud_warehouses=2)
    catalogue = generate_catalogue(styles=200, seed=1)
    stock = generate_stock(network, catalogue, seed=1)
    down = {s.code for s in catalogue if s.category == "down_jacket"}
    per_pickers = lambda node_id: sum(q for c, q in stock.at_node(node_id).items() if c in down)  # noqa: E731
    # Shenyang RDC has fewer pickers than Chengdu's yet stocks more down per head.
    assert per_pickers("RDC-SHENYANG") / 100 > per_pickers("RDC-CHENGDU") / 160
    assert per_pickers("CLOUD-SHANGHAI") > per_pickers("CLOUD-GUANGZHOU")


def test_safety_stock_keeps_the_last_store_unit_for_walk_ins(world):
    network, _, stock = world
    assert safety_stock_units("store") == 1 and safety_stock_units(NodeKind.CLOUD) == 0
    levels = stock.to_stock_levels(network)
    assert all(isinstance(level, StockLevel) for level in levels) and len(levels) == len(stock)
    store_level = next(level for level in levels if level.node_id.startswith("ST"))
    assert store_level.safety_stock == 1 and store_level.atp == store_level.on_hand - 1


def test_the_stock_table_reads_like_a_mapping_and_a_frame():
    table = StockTable({("ST0001", "S0001-BLK-M"): 2, ("ST0001", "S0001-BLK-L"): 0})
    assert len(table) == 1 and table.units("ST0001", "S0001-BLK-L") == 0
    assert table[("ST0001", "S0001-BLK-M")] == 2 and table.total_units() == 2
    assert list(table.to_frame().columns) == ["node_id", "sku_code", "units"]
    with pytest.raises(ValueError, match="^stock of S0001-BLK-M at ST0001 must be >= 0, got -1.$"):
        StockTable({("ST0001", "S0001-BLK-M"): -1})
