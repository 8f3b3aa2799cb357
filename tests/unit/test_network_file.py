"""Loading a user's own network (nodes + stock) from CSV or YAML, with errors naming row and field."""
from datetime import time
from pathlib import Path

import pytest

from scenarios.network_file import NetworkFileError, load_network_file, save_network_file
from warehouses.generator import generate_catalogue, generate_network
from warehouses.nodes import NodeKind
from warehouses.stock import generate_stock

SAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "sample_network"
HEADER = ("node_id,name,kind,province,city,district,opening_hours,pickers,pick_rate_units_per_hour,"
          "daily_order_capacity,carrier_cutoffs,ship_to_home\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_network_loads_with_its_stock():
    loaded = load_network_file(SAMPLE / "network.yaml")
    network = loaded.network
    assert {n.city for n in network.rdcs} == {"武汉市", "保定市", "成都市", "沈阳市"}
    assert len(network.stores) == 8 and len(network.clouds) == 1
    assert loaded.stock.units("RDC-WUHAN", "S0001-BLK-41") == 140
    xushui = network.node("RDC-XUSHUI")
    assert xushui.opening_hours == ((time(7), time(15)), (time(15), time(23)))
    assert xushui.carrier_cutoffs == (time(12), time(17), time(21))


def test_the_sample_nodes_csv_loads_alone_or_with_a_stock_csv():
    assert load_network_file(SAMPLE / "nodes.csv").stock is None
    assert len(load_network_file(SAMPLE / "nodes.csv", SAMPLE / "stock.csv").stock) == 21


def test_a_district_unknown_to_the_dataset_needs_coordinates():
    shenzhen = load_network_file(SAMPLE / "nodes.csv").network.node("ST0005")  # 龙华区, with lat/lon
    assert shenzhen.city == "深圳市" and (shenzhen.lat, shenzhen.lon) == (22.656, 114.03)
    assert shenzhen.adcode.startswith("4403")


def test_a_generated_network_round_trips_through_yaml_and_csv(tmp_path):
    network = generate_network(stores=15, seed=8)
    stock = generate_stock(network, generate_catalogue(20, seed=8), seed=8)
    for name in ("net.yaml", "net.csv"):
        written = save_network_file(tmp_path / name, network, stock)
        stock_path = None if name.endswith(".yaml") else written[1]
        loaded = load_network_file(written[0], stock_path)
        assert loaded.network.nodes == network.nodes
        assert dict(loaded.stock) == dict(stock)


def test_every_bad_row_is_reported_with_its_line_and_field(tmp_path):
    path = write(tmp_path, "nodes.csv", HEADER
                 + "ST1,好店,store,湖北,武汉,洪山区,10:00-22:00,2,30,80,18:00,true\n"
                 + "ST2,坏店,shop,湖北,武汉,洪山区,10:00-25:00,0,30,80,18:00,true\n"
                 + "ST3,远店,store,湖北,长沙,岳麓区,10:00-22:00,1,30,80,18:00,maybe\n"
                 + "ST1,重复,store,湖北,武汉,江汉区,10:00-22:00,1,30,80,18:00,true\n")
    with pytest.raises(NetworkFileError) as error:
        load_network_file(path)
    assert error.value.errors == [
        "nodes.csv line 3: kind: Input should be 'store', 'rdc' or 'cloud'",
        "nodes.csv line 3: opening_hours: Value error, '25:00' is not a time of day (HH:MM).",
        "nodes.csv line 3: pickers: Input should be greater than or equal to 1",
        "nodes.csv line 4: ship_to_home: Input should be a valid boolean, unable to interpret input",
        "nodes.csv line 5: node_id: 'ST1' already used at nodes.csv line 2",
    ]
    assert error.value.field == "nodes"


def test_an_unknown_city_or_district_is_reported(tmp_path):
    path = write(tmp_path, "nodes.csv", HEADER
                 + "ST1,店,store,湖北,长沙,岳麓区,10:00-22:00,1,30,80,18:00,true\n"
                 + "ST2,店,store,广东,深圳,龙华区,10:00-22:00,1,30,80,18:00,true\n")
    with pytest.raises(NetworkFileError) as error:
        load_network_file(path)
    assert error.value.errors == [
        "nodes.csv line 2: city: unknown city '长沙' in 湖北省",
        "nodes.csv line 3: district: '龙华区' is not a district of 深圳市; use one the dataset knows or give lat/lon",
    ]


def test_stock_rows_must_name_known_nodes_once_with_non_negative_units(tmp_path):
    stock = write(tmp_path, "stock.csv", "node_id,sku_code,units\nRDC-WUHAN,S1-BLK-M,3\nST404,S1-BLK-M,1\n"
                  "RDC-WUHAN,S1-BLK-M,4\nRDC-WUHAN,S1-BLK-L,-2\n")
    with pytest.raises(NetworkFileError) as error:
        load_network_file(SAMPLE / "nodes.csv", stock)
    assert error.value.errors == [
        "stock.csv line 3: node_id: 'ST404' is not a node of the network",
        "stock.csv line 4: S1-BLK-M at RDC-WUHAN already given at stock.csv line 2",
        "stock.csv line 5: units: Input should be greater than or equal to 0",
    ]
    assert error.value.field == "stock"


def test_inline_yaml_accepts_unquoted_times(tmp_path):
    path = write(tmp_path, "net.yaml", """
nodes:
  - {node_id: CLOUD-X, name: 云仓, kind: cloud, province: 浙江, city: 杭州, district: 萧山区,
     opening_hours: 08:00-23:00, pickers: 10, pick_rate_units_per_hour: 100, daily_order_capacity: 3000,
     carrier_cutoffs: 18:00, ship_to_home: true}
stock:
  - {node_id: CLOUD-X, sku_code: S0001-BLK-M, units: 5}
""")
    loaded = load_network_file(path)
    cloud = loaded.network.node("CLOUD-X")
    assert cloud.kind is NodeKind.CLOUD and cloud.carrier_cutoffs == (time(18),)  # YAML read 18:00 as 1080
    assert loaded.stock.units("CLOUD-X", "S0001-BLK-M") == 5


def test_a_yaml_without_nodes_is_refused(tmp_path):
    with pytest.raises(NetworkFileError, match="needs a 'nodes' list or a 'nodes_csv' path"):
        load_network_file(write(tmp_path, "empty.yaml", "stock: []\n"))
