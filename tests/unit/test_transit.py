"""Hand-over, cut-offs, transit-time distributions, lanes and the delivery quote."""
import math
from datetime import datetime, time, timedelta

import numpy as np
import pytest
from pydantic import ValidationError

from warehouses.distance import geodesic_km, geodesic_km_matrix
from warehouses.geography import load_geography, resolve_address
from warehouses.handover import handover_at, next_carrier_pickup, ready_at
from warehouses.lanes import Band, Mode
from warehouses.nodes import Node
from warehouses.opening_hours import ALL_DAY
from warehouses.transit import quote
from warehouses.transit_params import DEFAULT_TRANSIT_PARAMS as PARAMS
from warehouses.transit_time import TransitTime, normal_cdf

DAY = datetime(2024, 6, 1)


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hour, minutes=minute)


def a_store(**overrides) -> Node:
    """A ship-from-store mall store in 武汉洪山区, 10:00–22:00, one picker at 30 units/hour."""
    fields = dict(node_id="ST0001", name="武汉洪山店", kind="store", owner="brand", province="湖北省", city="武汉市",
                  district="洪山区", adcode="420111", lat=30.5002, lon=114.3438,
                  opening_hours=((time(10), time(22)),), pickers=1, pick_rate_units_per_hour=30.0,
                  carrier_cutoffs=(time(18), time(22)), ship_to_home=True, same_city_rider=True)
    return Node(**{**fields, **overrides})


def an_rdc(**overrides) -> Node:
    fields = dict(node_id="RDC-WUHAN", name="武汉RDC", kind="rdc", owner="brand", province="湖北省",
                  city="武汉市", district="东西湖区", adcode="420112", lat=30.6199, lon=114.1371,
                  opening_hours=ALL_DAY, pickers=240, pick_rate_units_per_hour=120.0,
                  carrier_cutoffs=(time(10), time(14), time(18), time(21)), ship_to_home=True)
    return Node(**{**fields, **overrides})


# -- hand-over and cut-offs -------------------------------------------------------------------

def test_an_order_paid_at_2155_at_a_store_closing_at_2200_misses_the_days_pickup():
    store = a_store()
    # 15 min to notice + 2 min to pick: 5 min fit before closing, 12 more the next morning.
    assert ready_at(store, at(21, 55), PARAMS) == at(10, 12, day=1)
    assert handover_at(store, Mode.EXPRESS, at(21, 55), PARAMS) == at(18, 0, day=1)


def test_an_order_ready_before_the_last_pickup_leaves_the_same_day():
    assert handover_at(a_store(), Mode.EXPRESS, at(21, 30), PARAMS) == at(22, 0)


def test_missing_the_last_cutoff_means_the_next_days_first():
    store = a_store(carrier_cutoffs=(time(12), time(18)))
    assert next_carrier_pickup(store, at(18, 1)) == at(12, 0, day=1)
    assert next_carrier_pickup(store, at(18, 0)) == at(18, 0)  # ready exactly at pickup makes it


def test_a_rider_order_at_0300_waits_for_the_store_to_open():
    handover = handover_at(a_store(), Mode.RIDER, at(3, 0), PARAMS)
    assert handover == at(10, 17)  # opens 10:00, 15 min to notice, 2 min to pick


def test_a_24_hour_rdc_picks_at_night_but_waits_for_the_morning_truck():
    rdc = an_rdc()
    assert ready_at(rdc, at(3, 0), PARAMS) == at(3, 45) + timedelta(seconds=30)  # 45 min wave + 30 s pick
    assert handover_at(rdc, Mode.LINEHAUL, at(3, 0), PARAMS) == at(10, 0)


def test_picking_time_grows_with_units():
    store = a_store()
    assert ready_at(store, at(12, 0), PARAMS, units=30) == at(13, 15)


def test_a_node_without_courier_pickups_has_no_express_handover():
    assert handover_at(a_store(carrier_cutoffs=()), Mode.EXPRESS, at(12), PARAMS) is None


# -- transit-time distributions ----------------------------------------------------------------

def test_transit_time_has_a_floor_a_median_and_a_tail():
    transit = TransitTime(min_hours=10, median_excess_hours=14, sigma=0.4)
    assert transit.median_hours == 24
    assert transit.cdf(10) == 0.0
    assert transit.cdf(24) == pytest.approx(0.5, abs=1e-6)
    assert transit.cdf(transit.p90_hours) == pytest.approx(0.90, abs=1e-6)
    assert transit.median_hours < transit.mean_hours < transit.p90_hours < transit.p99_hours


def test_transit_time_samples_match_their_distribution():
    transit = TransitTime(min_hours=5, median_excess_hours=11, sigma=0.4)
    draws = transit.sample(np.random.default_rng(7), size=100_000)
    assert draws.min() >= 5
    assert draws.mean() == pytest.approx(transit.mean_hours, rel=0.01)
    assert np.quantile(draws, 0.9) == pytest.approx(transit.p90_hours, rel=0.01)
    assert isinstance(transit.sample(np.random.default_rng(7)), float)


def test_normal_cdf_is_accurate():
    from statistics import NormalDist

    xs = np.linspace(-6, 6, 241)
    assert np.max(np.abs(normal_cdf(xs) - np.array([NormalDist().cdf(x) for x in xs]))) < 1e-7


def test_impossible_transit_time_is_refused_with_an_exact_message():
    with pytest.raises(ValueError, match='^"sigma" must be > 0, got 0.$'):
        TransitTime(1, 2, 0)


# -- distances ---------------------------------------------------------------------------------

def test_vectorised_distances_agree_with_geopy_within_metres():
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(18, 53, 40), rng.uniform(75, 134, 40)
    matrix = geodesic_km_matrix(lat, lon, lat, lon)
    exact = np.array([[geodesic_km(a, b, c, d) for c, d in zip(lat, lon)] for a, b in zip(lat, lon)])
    assert np.max(np.abs(matrix - exact)) < 0.02  # km
    assert np.all(np.diag(matrix) < 1e-3)


def test_wuhan_to_beijing_is_about_1050_km():
    assert geodesic_km(30.593, 114.305, 39.904, 116.407) == pytest.approx(1052, abs=10)


# -- quotes ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def places():
    load_geography()
    return {name: resolve_address(*address) for name, address in {
        "江汉": ("湖北", "武汉", "江汉区"), "新洲": ("湖北", "武汉", "新洲区"), "宜昌": ("湖北", "宜昌", "西陵区"),
        "长沙": ("湖南", "长沙", "岳麓区"), "北京": ("北京", "北京", "朝阳区"), "乌鲁木齐": ("新疆", "乌鲁木齐", "天山区"),
    }.items()}


def test_a_rider_delivers_same_city_within_range_in_hours(places):
    q = quote(a_store(), places["江汉"], at(12), at(12, day=1))
    assert (q.mode, q.band) == (Mode.RIDER, Band.SAME_CITY)
    assert q.handover_at == at(12, 17)
    assert q.transit.mean_hours < 2
    assert q.p_within_promise > 0.999
    assert 10 < q.distance_km < PARAMS.rider.max_km
    assert q.cost_fen == 1200 + 200 * math.ceil(q.distance_km - 3)  # first 3 km, then per started km


def test_beyond_rider_range_the_store_ships_express(places):
    q = quote(a_store(), places["新洲"], at(12), at(12, day=1))
    assert q.distance_km > PARAMS.rider.max_km
    assert (q.mode, q.band, q.cost_fen) == (Mode.EXPRESS, Band.SAME_CITY, 600)
    assert q.handover_at == at(18)


@pytest.mark.parametrize("place, band", [("宜昌", Band.SAME_PROVINCE), ("长沙", Band.SAME_REGION),
                                         ("北京", Band.CROSS_REGION)])
def test_rdc_lanes_are_banded_by_zone_and_cheaper_than_store_express(places, place, band):
    rdc_quote = quote(an_rdc(), places[place], at(9), at(9, day=2))
    store_quote = quote(a_store(), places[place], at(9), at(9, day=2))
    assert (rdc_quote.mode, rdc_quote.band) == (Mode.LINEHAUL, band)
    assert (store_quote.mode, store_quote.band) == (Mode.EXPRESS, band)
    assert rdc_quote.cost_fen < store_quote.cost_fen


def test_further_zones_take_longer(places):
    means = [quote(an_rdc(), places[p], at(9), at(9, day=2)).transit.mean_hours for p in ("江汉", "宜昌", "长沙", "北京")]
    assert means == sorted(means)


def test_remote_provinces_carry_surcharge_and_delay(places):
    beijing = quote(an_rdc(), places["北京"], at(9), at(9, day=3))
    urumqi = quote(an_rdc(), places["乌鲁木齐"], at(9), at(9, day=3))
    assert urumqi.cost_fen == beijing.cost_fen + PARAMS.remote.surcharge_fen
    assert urumqi.transit.min_hours > beijing.transit.min_hours + PARAMS.remote.extra_hours


def test_a_store_without_ship_from_store_cannot_deliver_beyond_rider_range(places):
    store = a_store(ship_to_home=False)
    assert quote(store, places["宜昌"], at(12), at(12, day=1)) is None
    assert quote(store, places["江汉"], at(12), at(12, day=1)).mode is Mode.RIDER
    assert quote(a_store(same_city_rider=False, ship_to_home=False), places["江汉"], at(12), at(12, day=1)) is None


def test_a_mode_can_be_forced_to_compare_rider_and_express(places):
    q = quote(a_store(), places["江汉"], at(12), at(12, day=1), mode=Mode.EXPRESS)
    assert q.mode is Mode.EXPRESS and q.handover_at == at(18)
    assert quote(an_rdc(), places["江汉"], at(12), at(12, day=1), mode=Mode.RIDER) is None


def test_heavier_parcels_cost_more_per_started_kilogram(places):
    light = quote(an_rdc(), places["北京"], at(9), at(9, day=2), weight_kg=1.0)
    heavy = quote(an_rdc(), places["北京"], at(9), at(9, day=2), weight_kg=2.3)
    assert heavy.cost_fen - light.cost_fen == 2 * PARAMS.linehaul.cross_region.tariff.extra_kg_fen


def test_probability_within_promise_follows_the_promise(places):
    rdc = an_rdc()
    p = [quote(rdc, places["宜昌"], at(9), at(9) + timedelta(hours=h)).p_within_promise for h in (2, 24, 36, 72)]
    assert p[0] == 0.0 and p == sorted(p) and p[-1] > 0.99
    q = quote(rdc, places["宜昌"], at(9), at(9, day=1))
    assert q.expected_delivery_at == q.handover_at + timedelta(hours=q.transit.mean_hours)


def test_scenario_overrides_change_the_quote(places):
    slower = PARAMS.with_overrides({"rider": {"max_km": 5}})
    assert quote(a_store(), places["江汉"], at(12), at(12, day=1), slower).mode is Mode.EXPRESS


def test_bad_overrides_name_the_parameter():
    with pytest.raises(ValidationError, match="rider.max_km"):
        PARAMS.with_overrides({"rider": {"max_km": -1}})
    with pytest.raises(ValidationError, match='"median_hours" must be > "min_hours"'):
        PARAMS.with_overrides({"express": {"same_city": {"time": {"median_hours": 1}}}})
