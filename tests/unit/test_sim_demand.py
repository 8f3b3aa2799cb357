"""The demand model: volumes, intraday curves, regional and category skew, replay files."""
from __future__ import annotations

import numpy as np
import pandas as pd

from oms.catalogue import CATEGORIES
from oms.orders import CHANNELS
from scenarios.schema import ReplaySpec
from simulation.demand import generate_demand
from simulation.replay import demand_from_frame
from simulation.rng import OrderDraws, Streams
from simulation.world import world_of
from tests.builders.simulation import sku_codes, small_scenario
from warehouses.regions import REGIONS


def demand_of(seed: int = 1, **sections):
    scenario = small_scenario(**sections)
    world = world_of(scenario)
    return generate_demand(scenario.demand, scenario.run, world, Streams(seed).stream("demand")), world


def test_a_day_brings_about_the_volume_asked_for_weighted_by_the_weekday():
    demand, _ = demand_of(demand={"orders_per_day": 20_000, "weekly_pattern": [1, 1, 1, 1, 1, 1, 1]})
    assert abs(len(demand) - 20_000) < 4 * np.sqrt(20_000)
    assert (np.diff(demand.paid_minute) >= 0).all() and demand.paid_minute.max() < 24 * 60
    weekend, _ = demand_of(demand={"orders_per_day": 20_000, "weekly_pattern": [1, 1, 2, 1, 1, 1, 1]})
    assert len(weekend) > 1.5 * len(demand)  # the run's Wednesday counts double


def test_the_mall_peaks_in_the_evening_and_singles_day_opens_at_midnight():
    demand, _ = demand_of(demand={"orders_per_day": 30_000, "channels": {
        "mall": {"share": 1.0, "curve": "social_evening"}, "tmall": {"share": 1.0, "curve": "platform_midnight"},
        "guide": {"share": 0}, "douyin": {"share": 0}, "jd": {"share": 0}, "vip": {"share": 0}}})
    hour = (demand.paid_minute // 60).astype(int)
    mall = hour[demand.channel == CHANNELS.index("mall")]
    tmall = hour[demand.channel == CHANNELS.index("tmall")]
    assert np.bincount(mall, minlength=24).argmax() in (20, 21)
    assert 0.15 < (tmall == 0).mean() < 0.25  # the first hour of the sale takes about a fifth of the day


def test_a_cold_snap_moves_northern_demand_to_down_jackets_only_in_the_north():
    shift = {"category_shifts": [{"name": "cold", "categories": {"down_jacket": 8.0}, "regions": ["东北", "华北"]}],
             "orders_per_day": 30_000}
    cold, world = demand_of(demand=shift)
    normal, _ = demand_of(demand={"orders_per_day": 30_000})

    def down_share(demand, regions):
        order = np.repeat(np.arange(len(demand)), np.diff(demand.line_start))
        in_region = np.isin(world.district_region[demand.district[order]], [REGIONS.index(r) for r in regions])
        down = world.sku_category[demand.line_sku] == CATEGORIES.index("down_jacket")
        return down[in_region].mean()

    assert down_share(cold, ["东北", "华北"]) > 3 * down_share(normal, ["东北", "华北"])
    assert abs(down_share(cold, ["华南"]) - down_share(normal, ["华南"])) < 0.02


def test_orders_follow_population_and_popular_styles():
    demand, world = demand_of(demand={"orders_per_day": 30_000})
    share = np.bincount(world.district_region[demand.district], minlength=len(REGIONS)) / len(demand)
    assert share[REGIONS.index("华东")] > share[REGIONS.index("西北")] * 3
    styles = pd.Series([world.sku_codes[i].split("-")[0] for i in demand.line_sku]).value_counts()
    assert styles.index[0] == "S0001"  # style numbers are popularity ranks


def test_no_order_lists_a_sku_twice_and_social_orders_carry_their_store():
    demand, world = demand_of(demand={"orders_per_day": 5_000, "lines_per_order": {3: 1.0}})
    for k in range(0, len(demand), 97):
        lines = demand.line_sku[demand.line_start[k]:demand.line_start[k + 1]]
        assert len(set(lines.tolist())) == len(lines)
    social = np.isin(demand.channel, [CHANNELS.index(c) for c in ("mall", "guide", "douyin")])
    assert (demand.store[social] >= 0).all() and (demand.store[~social] == -1).all()


def test_the_same_seed_draws_the_same_demand_and_luck():
    a, _ = demand_of(seed=3)
    b, _ = demand_of(seed=3)
    c, _ = demand_of(seed=4)
    assert (a.paid_minute == b.paid_minute).all() and (a.line_sku == b.line_sku).all()
    assert len(a) != len(c) or not (a.paid_minute == c.paid_minute).all()
    assert (OrderDraws.draw(Streams(3), 10).transit == OrderDraws.draw(Streams(3), 10).transit).all()


def test_a_replay_keeps_ids_and_times_of_day_and_drops_what_falls_outside_the_window():
    scenario = small_scenario()
    world = world_of(scenario)
    sku = sku_codes(1)[0]
    frame = pd.DataFrame({
        "channel": ["jd", "jd", "tmall", "tmall"], "channel_order_id": ["J1", "J1", "T1", "T2"],
        "paid_at": ["2025-03-01T09:30:00+08:00", "2025-03-01T09:30:00+08:00", "2025-03-01T23:10:00+08:00",
                    "2025-03-03T08:00:00+08:00"],
        "sku_code": [sku, sku_codes(2)[1], sku, sku], "quantity": [1, 2, 1, 1],
        "province": ["湖北省"] * 4, "city": ["武汉市"] * 4, "district": ["洪山区"] * 4})
    demand, dropped = demand_from_frame(frame, ReplaySpec(path="x.csv"), scenario.run, world)
    assert demand.channel_order_ids == ("J1", "T1") and dropped == 1
    assert demand.paid_minute.tolist() == [9.5 * 60, 23 * 60 + 10]
    assert demand.line_qty.tolist() == [1, 2, 1] and demand.addresses[0][:3] == ("湖北省", "武汉市", "洪山区")
