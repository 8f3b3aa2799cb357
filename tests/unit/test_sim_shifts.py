"""Pick-pack staff per shift: the scenario's shifts, the bench that follows them, and utilisation
over staffed picker-hours."""
from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest
import simpy
import yaml

from scenarios.loader import ScenarioError, load_scenario, parse_scenario
from simulation import kpis
from simulation.engine import Simulation
from simulation.floor import NodeFloor, Rota, ShiftBench, SimClock, on_duty
from simulation.world import world_of
from tests.builders.simulation import hand_checkable_scenario, small_scenario, sku_codes
from warehouses.nodes import Node

START = datetime.fromisoformat("2026-06-10T00:00:00+08:00")


def with_shifts(scenario, **shifts):
    network = scenario.network.model_copy(update={"shifts": parse_scenario(
        {"name": "x", "network": {"shifts": shifts}}).network.shifts})
    return scenario.model_copy(update={"network": network})


def shift(start, end, share):
    return {"start": start, "end": end, "share": share}


def picks(records):
    ships = records.frame("shipments").sort_values("order_id")
    return ships.pick_start_h.tolist(), ships.packed_h.tolist()


# ---------------------------------------------------------------- the run
def test_two_pickers_in_the_morning_and_one_in_the_afternoon_queue_as_computed_by_hand(tmp_path):
    sku = sku_codes(1)[0]
    morning = [("A", "09:55", sku), ("B", "09:56", sku), ("C", "09:57", sku), ("D", "09:58", sku)]
    turn = [("E", "13:35", sku), ("F", "13:36", sku), ("G", "13:37", sku), ("H", "13:38", sku)]
    scenario = with_shifts(hand_checkable_scenario(tmp_path, morning + turn, pickers=2),
                           store=[shift("10:00", "14:00", 1.0), shift("14:00", "22:00", 0.5)])
    starts, packed = picks(Simulation(scenario).run())
    # Each parcel takes 30 minutes. 10:00 wave: two pickers take A and B, then C and D at 10:30.
    # 13:40 wave: E and F start with both pickers; at 14:00 one goes off duty, but only after the
    # parcel in hand (14:10); from then on one picker works G, then H.
    assert starts == pytest.approx([10.0, 10.0, 10.5, 10.5, 13 + 40 / 60, 13 + 40 / 60, 14 + 10 / 60, 14 + 40 / 60],
                                   abs=1e-3)
    assert packed == pytest.approx([10.5, 10.5, 11.0, 11.0, 14 + 10 / 60, 14 + 10 / 60, 14 + 40 / 60, 15 + 10 / 60],
                                   abs=1e-3)
    without = hand_checkable_scenario(tmp_path, morning + turn, pickers=2)
    assert picks(Simulation(without).run())[0][6:] == pytest.approx([14 + 10 / 60] * 2, abs=1e-3)


def test_the_next_shift_brings_pickers_back_for_the_waiting_parcels(tmp_path):
    sku = sku_codes(1)[0]
    orders = [(name, "13:35", sku) for name in "ABCD"]
    scenario = with_shifts(hand_checkable_scenario(tmp_path, orders, pickers=2),
                           store=[shift("10:00", "14:00", 0.5), shift("14:00", "22:00", 1.0)])
    starts, _ = picks(Simulation(scenario).run())
    # One picker from 13:40 (A); at 14:00 the second comes on and takes B at once; then C and D.
    assert starts == pytest.approx([13 + 40 / 60, 14.0, 14 + 10 / 60, 14.5], abs=1e-3)


@pytest.mark.parametrize("shifts", [
    [shift("10:00", "12:00", 0.0), shift("12:00", "22:00", 1.0)],  # nobody on the first shift
    [shift("12:00", "22:00", 1.0)],  # hours no shift covers have nobody on duty
], ids=["share-0", "uncovered"])
def test_with_nobody_on_duty_nothing_is_picked_until_the_next_shift(tmp_path, shifts):
    sku = sku_codes(1)[0]
    scenario = with_shifts(hand_checkable_scenario(tmp_path, [("A", "09:55", sku), ("B", "09:56", sku)]),
                           store=shifts)
    records = Simulation(scenario).run()
    starts, packed = picks(records)
    ships = records.frame("shipments").sort_values("order_id")
    assert ships.allocated_h.tolist() == pytest.approx([10.0, 10.0])  # the store opens and accepts at 10:00
    assert starts == pytest.approx([12.0, 12.5], abs=1e-3)
    assert packed == pytest.approx([12.5, 13.0], abs=1e-3)


def test_utilisation_counts_staffed_picker_hours_not_open_hours_times_pickers(tmp_path):
    sku = sku_codes(1)[0]
    base = hand_checkable_scenario(tmp_path, [("A", "09:55", sku)], pickers=2)
    scenario = with_shifts(base, store=[shift("10:00", "14:00", 1.0), shift("14:00", "22:00", 0.5)])
    plain, shifted = Simulation(base).run(), Simulation(scenario).run()
    (before,), (after,) = plain.nodes, shifted.nodes
    assert after.busy_picker_h == pytest.approx(before.busy_picker_h) and after.busy_picker_h > 0
    # The run ends with the parcel's delivery, in the night after day one. Open 12 h with 2 pickers
    # would be 24 picker-hours; on shifts the store was staffed 4 h × 2 + 8 h × 1 = 16.
    assert 22 < shifted.stats["sim_hours"] < 34
    assert after.open_picker_h == pytest.approx(16.0)
    assert kpis.summary(shifted)["utilisation_store_pct"] == pytest.approx(100 * after.busy_picker_h / 16.0)


def test_the_same_seed_gives_identical_results_with_shifts():
    scenario = with_shifts(small_scenario(fulfilment={"handling": {"store": {"rejection_probability": 0.2}}}),
                           store=[shift("10:00", "15:00", 0.0), shift("15:00", "22:00", 1.0)],
                           rdc=[shift("07:00", "19:00", 1.0), shift("19:00", "07:00", 0.0)])
    first, again = Simulation(scenario, seed=5).run(), Simulation(scenario, seed=5).run()
    assert first.orders == again.orders and first.shipments == again.shipments
    assert first.nodes == again.nodes and first.backlog == again.backlog
    assert first.shipments != Simulation(small_scenario(
        fulfilment={"handling": {"store": {"rejection_probability": 0.2}}}), seed=5).run().shipments


def test_kinds_without_shifts_keep_the_plain_bench_and_share_the_world():
    plain = small_scenario()
    scenario = with_shifts(plain, rdc=[shift("00:00", "24:00", 1.0)])
    seen = {}

    def check(sim):
        seen["benches"] = {f.kind: type(f.bench) for f in sim.floors.values()}

    Simulation(scenario, seed=1).run(inspect=check)
    assert seen["benches"] == {"store": simpy.Resource, "rdc": ShiftBench, "cloud": simpy.Resource}
    assert world_of(plain) is world_of(scenario)  # shifts are not part of the network
    # A whole day at share 1 is the same as no shifts at all.
    assert Simulation(scenario, seed=1).run().shipments == Simulation(plain, seed=1).run().shipments


# ---------------------------------------------------------------- the parts
def test_the_rota_runs_past_midnight_and_rounds_to_whole_pickers():
    rota = Rota.of(parse_scenario({"name": "x", "network": {"shifts": {"rdc": [
        shift("08:00", "20:00", 1.0), shift("20:00", "08:00", 0.4)]}}}).network.shifts["rdc"])
    assert rota.steps == ((0, 0.4), (480, 1.0), (1200, 0.4))
    assert [rota.share_at(m) for m in (0, 479, 480, 1199, 1200, 1439)] == [0.4, 0.4, 1.0, 1.0, 0.4, 0.4]
    changes = rota.changes(first_minute=600)  # the run starts at 10:00
    assert [next(changes) for _ in range(3)] == [(600, 0.4), (1320, 1.0), (2040, 0.4)]
    assert [on_duty(10, 0.4), on_duty(5, 0.5), on_duty(1, 0.1), on_duty(3, 0.0), on_duty(3, 1.0)] == [4, 3, 1, 0, 3]
    whole_day = Rota.of(parse_scenario({"name": "x", "network": {"shifts": {"rdc": [
        shift("00:00", "24:00", 0.5)]}}}).network.shifts["rdc"])
    assert whole_day.constant and list(whole_day.changes(first_minute=0)) == []  # no process needed


def test_a_bench_going_off_duty_lets_busy_pickers_finish_their_parcel():
    env = simpy.Environment()
    bench = ShiftBench(env, pickers=2, on_duty=2)
    started = []

    def parcel(name):
        with bench.request() as request:
            yield request
            started.append((name, env.now))
            yield env.timeout(30)

    for name in "ABC":
        env.process(parcel(name))

    def rota():
        yield env.timeout(10)
        bench.staff(0)  # both go off duty after the parcel in hand
        yield env.timeout(50)
        bench.staff(1)

    env.process(rota())
    env.run()
    assert started == [("A", 0), ("B", 0), ("C", 60)]
    assert bench.capacity == 1 and bench.count == 0


def _floor(rota, outages=(), start=START):
    node = Node(node_id="ST01", name="武汉洪山直营店", kind="store", owner="brand", province="湖北省", city="武汉市",
                district="洪山区", adcode="420111", lat=30.5, lon=114.3, opening_hours=((time(10), time(22)),),
                pickers=2)
    return NodeFloor(node, 0, simpy.Resource(simpy.Environment(), 2), SimClock(start), list(outages), rota=rota)


def test_staffed_picker_hours_sum_the_pickers_on_duty_while_open_and_up():
    shifts = parse_scenario({"name": "x", "network": {"shifts": {"store": [
        shift("08:00", "14:00", 1.0), shift("14:00", "23:00", 0.5)]}}}).network.shifts["store"]
    rota = Rota.of(shifts)
    # Open 10–22: 4 h × 2 pickers + 8 h × 1 = 16 picker-hours a day.
    assert _floor(rota).staffed_picker_minutes(3 * 1440) / 60 == pytest.approx(48)
    assert _floor(rota).staffed_picker_minutes(1440 + 12 * 60) / 60 == pytest.approx(16 + 4)  # to 12:00 on day 2
    down = _floor(rota, outages=[(11 * 60, 15 * 60)])  # 11–14 with 2, 14–15 with 1
    assert down.staffed_picker_minutes(1440) / 60 == pytest.approx(16 - 6 - 1)
    late_start = _floor(rota, start=datetime.fromisoformat("2026-06-10T13:00:00+08:00"))
    assert late_start.staffed_picker_minutes(1440) / 60 == pytest.approx(2 + 8 + 6)  # 13:00 → 13:00
    assert _floor(None).staffed_picker_minutes(1440) / 60 == pytest.approx(24)


# ---------------------------------------------------------------- the scenario file
def bad(tmp_path: Path, shifts) -> ScenarioError:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"name": "x", "network": {"shifts": shifts}}), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    return err.value


def test_a_bad_shift_is_an_error_naming_the_key(tmp_path):
    error = bad(tmp_path, {"store": [shift("10:00", "14:00", 0.5), shift("14:00", "14:00", 1.0)]})
    assert error.field == "network.shifts.store[1]" and '"end" must differ from "start"' in error.message
    error = bad(tmp_path, {"rdc": [shift("08:00", "20:00", -0.2)]})
    assert error.field == "network.shifts.rdc[0].share" and "greater than or equal to 0" in error.message
    error = bad(tmp_path, {"rdc": [shift("08:00", "20:00", 1.0), shift("19:00", "09:00", 0.4)]})
    assert error.field == "network.shifts.rdc" and "overlap" in error.message
    assert bad(tmp_path, {"store": [shift("10:00", "25:00", 1.0)]}).field == "network.shifts.store[0].end"
    error = bad(tmp_path, {"store": [{"start": "10:00", "end": "14:00", "shares": 1}]})
    assert ("network.shifts.store[0].shares", 'unknown key (did you mean "share"?)') in error.errors


def test_an_unquoted_time_says_to_quote_it(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nnetwork:\n  shifts:\n    store:\n      - {start: 10:00, end: \"14:00\", share: 1}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.field == "network.shifts.store[0].start" and "in quotes" in err.value.message


def test_shifts_run_past_midnight_and_a_variant_can_drop_them():
    scenario = parse_scenario({"name": "x", "network": {"shifts": {
        "rdc": [shift("08:00", "20:00", 1.0), shift("20:00", "08:00", 0.4)]}},
        "variants": [{"name": "no_shifts", "overrides": {"network": {"shifts": {"rdc": None}}}}]})
    assert [(s.start, s.end) for s in scenario.network.shifts["rdc"]] == [("08:00", "20:00"), ("20:00", "08:00")]
    from scenarios.loader import apply_variant

    assert apply_variant(scenario, "no_shifts").network.shifts == {"rdc": None}


def test_singles_day_runs_the_rdcs_round_the_clock_with_a_night_shift():
    scenario = load_scenario("singles_day")
    rota = Rota.of(scenario.network.shifts["rdc"])
    assert [rota.share_at(m) for m in (3 * 60, 10 * 60, 20 * 60, 23 * 60 + 30)] == [0.4, 1.0, 1.0, 0.4]
    assert {node_id: o.opening_hours for node_id, o in scenario.network.nodes.items()} == \
        dict.fromkeys(("RDC-XUSHUI", "RDC-CHENGDU", "RDC-SHENYANG"), "24h")


def test_a_node_override_can_change_opening_hours_and_bad_hours_name_the_key():
    from simulation.world import adjust_network
    from warehouses.generator import generate_network
    from warehouses.opening_hours import ALL_DAY

    spec = parse_scenario({"name": "x", "network": {"stores": 3, "nodes": {"RDC-XUSHUI": {"opening_hours": "24h"}}}})
    network = adjust_network(generate_network(3, 7), spec.network)
    assert network.node("RDC-XUSHUI").opening_hours == ALL_DAY
    assert network.node("RDC-CHENGDU").opening_hours != ALL_DAY
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"name": "x", "network": {"nodes": {"RDC-XUSHUI": {"opening_hours": "23:00-07:00"}}}})
    assert err.value.field == "network.nodes.RDC-XUSHUI.opening_hours" and "open before it closes" in err.value.message
