"""The synthetic network and catalogue: deterministic, and shaped like the brand's."""
from collections import Counter

import pytest

from oms.catalogue import CATEGORIES
from warehouses.catalogue import SIZE_CURVES, style_popularity
from warehouses.generator import FRANCHISE_SHARE, generate_catalogue, generate_network
from warehouses.nodes import NodeKind, Owner
from warehouses.opening_hours import ALL_DAY


@pytest.fixture(scope="module")
def network():
    return generate_network(stores=1000, seed=42)


def test_the_same_seed_builds_the_same_network():
    assert generate_network(10, seed=1).nodes == generate_network(10, seed=1).nodes


def test_another_seed_builds_another_network():
    assert generate_network(10, seed=1).stores != generate_network(10, seed=2).stores


def test_a_test_network_has_ten_stores_four_rdcs_and_three_clouds():
    counts = Counter(n.kind for n in generate_network(10, seed=1))
    assert counts == {NodeKind.STORE: 10, NodeKind.RDC: 4, NodeKind.CLOUD: 3}


def test_the_four_rdcs_are_at_wuhan_xushui_chengdu_and_shenyang(network):
    assert {(n.city, n.district) for n in network.rdcs} == {
        ("武汉市", "东西湖区"), ("保定市", "徐水区"), ("成都市", "新都区"), ("沈阳市", "于洪区")}
    assert all(n.ship_to_home and n.ships_express and n.daily_order_capacity >= 20_000 for n in network.rdcs)
    assert network.node("RDC-WUHAN").opening_hours == ALL_DAY  # the national hub runs 24 h


def test_cloud_warehouses_are_in_the_east_and_south_and_count_is_a_parameter():
    assert [n.city for n in generate_network(0, seed=1).clouds] == ["上海市", "广州市", "杭州市"]
    assert len(generate_network(0, seed=1, cloud_warehouses=5).clouds) == 5
    with pytest.raises(ValueError, match='"cloud_warehouses" must be between 0 and 6, got 9.'):
        generate_network(0, seed=1, cloud_warehouses=9)


def test_about_seventy_percent_of_stores_are_direct_run(network):
    owners = Counter(n.owner for n in network.stores)
    assert owners[Owner.FRANCHISEE] == round(1000 * FRANCHISE_SHARE)


def test_big_cities_get_many_stores_and_every_region_has_some(network):
    per_city = Counter(n.city for n in network.stores)
    assert per_city["上海市"] >= 25 and per_city["北京市"] >= 25
    assert len(per_city) > 150  # lower-tier cities are covered too
    assert {n.region for n in network.stores} == {"华北", "东北", "华东", "华中", "华南", "西南", "西北"}
    assert per_city["上海市"] > 10 * max(1, per_city.get("嘉峪关市", 0))


def test_bigger_stores_opt_in_to_ship_from_store_more_often(network):
    stores = sorted(network.stores, key=lambda n: n.floor_area_m2)
    small, big = stores[:300], stores[-300:]
    share = lambda group: sum(n.ship_to_home for n in group) / len(group)  # noqa: E731
    assert share(big) > share(small) + 0.2
    assert 0.25 < share(stores) < 0.5


def test_riders_are_offered_mostly_in_big_cities(network):
    tier_of = {c.name: c.tier for c in network.geography.cities}
    big = [n for n in network.stores if tier_of[n.city] <= 3]
    small = [n for n in network.stores if tier_of[n.city] >= 5]
    share = lambda group: sum(n.same_city_rider for n in group) / len(group)  # noqa: E731
    assert share(big) > 0.6 > 0.3 > share(small)


def test_store_attributes_are_plausible(network):
    for store in network.stores:
        assert store.opening_hours[0][0].hour in (9, 10) and store.carrier_cutoffs
        assert 1 <= store.pickers <= 4 and 20 <= store.pick_rate_units_per_hour <= 36
        assert 60 <= store.floor_area_m2 <= 2000 and store.daily_order_capacity > 0
    assert len({n.node_id for n in network}) == len(network)


def test_a_scale_network_of_5000_stores_builds():
    assert len(generate_network(5000, seed=3).stores) == 5000


def test_the_catalogue_is_deterministic_with_apparel_shaped_skus():
    catalogue = generate_catalogue(styles=60, seed=5)
    assert [s.code for s in catalogue] == [s.code for s in generate_catalogue(styles=60, seed=5)]
    sku = next(iter(catalogue))
    assert sku.code == f"{sku.style}-{sku.colour}-{sku.size}" and sku.style == "S0001"
    assert {s.category for s in catalogue} <= set(CATEGORIES)
    assert {"shoes", "apparel"} <= {s.category for s in catalogue}
    for s in catalogue:
        assert s.size in SIZE_CURVES[s.category] and s.price_fen % 100 == 0 and s.price_fen > 0
    popularity = style_popularity(catalogue)
    assert sum(popularity.values()) == pytest.approx(1.0) and popularity["S0001"] > popularity["S0060"]
