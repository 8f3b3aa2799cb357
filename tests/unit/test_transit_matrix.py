"""The precomputed node × district matrix agrees with `quote`, and answers in arrays."""
from datetime import datetime, timedelta

import numpy as np
import pytest

from warehouses.generator import generate_network
from warehouses.lanes import NO_LANE, NO_LANE_COST_FEN, Mode
from warehouses.transit import quote
from warehouses.transit_matrix import TransitMatrix

DISPATCH = datetime(2024, 11, 11, 20, 30)
PROMISE = DISPATCH + timedelta(hours=24)


@pytest.fixture(scope="module")
def network():
    return generate_network(stores=60, seed=11)


@pytest.fixture(scope="module")
def matrix(network):
    return TransitMatrix(network)


def test_the_matrix_has_a_row_per_node_and_a_column_per_district(matrix, network):
    geo = network.geography
    assert matrix.cost_fen.shape == (len(network), len(geo.districts))
    assert matrix.node_ids[matrix.node_index("RDC-WUHAN")] == "RDC-WUHAN"
    assert matrix.district_adcodes[matrix.district_index("420111")] == "420111"


def test_rdcs_and_clouds_reach_every_district(matrix, network):
    for node in (*network.rdcs, *network.clouds):
        row = matrix.node_index(node.node_id)
        assert matrix.feasible[row].all()
        assert set(np.unique(matrix.mode[row])) == {(Mode.LINEHAUL if node in network.rdcs else Mode.EXPRESS).code}


def test_a_store_without_ship_from_store_reaches_only_its_own_city_by_rider(matrix, network):
    row = next(i for i, n in enumerate(network.nodes) if not n.ship_to_home and n.same_city_rider)
    store = network.nodes[row]
    served = np.flatnonzero(matrix.feasible[row])
    assert 0 < len(served) <= len(network.geography.districts_of(store.city_adcode))
    assert {network.geography.districts[j].city_adcode for j in served} == {store.city_adcode}
    unserved = ~matrix.feasible[row]
    assert (matrix.cost_fen[row][unserved] == NO_LANE_COST_FEN).all()
    assert (matrix.mode[row][unserved] == NO_LANE).all()
    everywhere = np.arange(matrix.mode.shape[1])
    assert (matrix.p_within(np.full(len(everywhere), row), everywhere, 1000.0)[unserved] == 0).all()


def test_matrix_quotes_agree_with_quote_from_scratch(matrix, network):
    rng = np.random.default_rng(5)
    districts = network.geography.districts
    pairs = [(i, int(j)) for i in range(len(network)) for j in rng.integers(0, len(districts), 12)]
    pairs += [(i, matrix.district_index(network.nodes[i].adcode)) for i in range(len(network))]  # same-city lanes
    compared = 0
    for i, j in pairs:
        expected = quote(network.nodes[i], districts[j], DISPATCH, PROMISE)
        got = matrix.quote(i, j, DISPATCH, PROMISE)
        assert (expected is None) == (got is None)
        if expected is None:
            continue
        compared += 1
        assert (got.mode, got.band, got.cost_fen, got.handover_at) == \
            (expected.mode, expected.band, expected.cost_fen, expected.handover_at)
        assert got.distance_km == pytest.approx(expected.distance_km, abs=0.05)
        assert got.transit.mean_hours == pytest.approx(expected.transit.mean_hours, abs=1e-3)
        assert got.p_within_promise == pytest.approx(expected.p_within_promise, abs=1e-4)
    assert compared > 300


def test_promise_probabilities_are_vectorised_over_many_orders(matrix, network):
    rng = np.random.default_rng(9)
    nodes = rng.integers(0, len(network), 5000)
    districts = rng.integers(0, len(network.geography.districts), 5000)
    p = matrix.p_within_promise(nodes, districts, DISPATCH, PROMISE)
    assert p.shape == (5000,) and ((p >= 0) & (p <= 1)).all()
    for k in range(0, 5000, 500):
        single = matrix.p_within_promise(nodes[k], districts[k], DISPATCH, PROMISE)
        assert p[k] == pytest.approx(float(single))


def test_a_later_promise_is_never_less_likely(matrix):
    nodes, districts = np.arange(matrix.mode.shape[0]), np.full(matrix.mode.shape[0], matrix.district_index("420111"))
    p24 = matrix.p_within_promise(nodes, districts, DISPATCH, DISPATCH + timedelta(hours=24))
    p48 = matrix.p_within_promise(nodes, districts, DISPATCH, DISPATCH + timedelta(hours=48))
    assert (p48 >= p24).all() and p48.sum() > p24.sum()


def test_handover_hours_are_per_mode_and_node(matrix, network):
    hours = matrix.handover_hours(DISPATCH)
    assert hours.shape == (3, len(network))
    wuhan = matrix.node_index("RDC-WUHAN")
    assert hours[Mode.LINEHAUL.code, wuhan] == pytest.approx(13.5)  # 20:30 → tomorrow's 10:00 truck
    assert matrix.handover_hours(DISPATCH) is hours  # cached per dispatch time


def test_mean_hours_match_the_lane_distributions(matrix):
    i, j = matrix.node_index("RDC-CHENGDU"), matrix.district_index("110105")
    q = matrix.quote(i, j, DISPATCH, PROMISE)
    assert matrix.mean_hours[i, j] == pytest.approx(q.transit.mean_hours, rel=1e-6)


@pytest.mark.parametrize("hour", [3, 9.5, 11.25, 17.9, 23])
def test_handover_hours_equal_each_nodes_own_handover(matrix, network, hour):
    """Nodes are computed once per shared timetable: the answer must be every node's own."""
    from warehouses.handover import next_carrier_pickup, ready_at

    at = DISPATCH.replace(hour=0, minute=0) + timedelta(hours=hour)
    hours = matrix.handover_hours(at, units=2)
    for i, node in enumerate(network.nodes):
        ready = ready_at(node, at, matrix.params, 2)
        pickup = next_carrier_pickup(node, ready)
        assert hours[Mode.RIDER.code, i] == pytest.approx((ready - at).total_seconds() / 3600)
        if pickup is None:
            assert np.isnan(hours[Mode.EXPRESS.code, i])
        else:
            assert hours[Mode.EXPRESS.code, i] == pytest.approx((pickup - at).total_seconds() / 3600)
