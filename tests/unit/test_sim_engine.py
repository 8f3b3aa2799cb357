"""The simulator on small worlds: hand-checkable answers, conservation, determinism, and the OMS's
own code doing the work."""
from __future__ import annotations

import pytest

import oms.allocating
from allocation.oms_planner import OmsPlanner
from allocation.greedy import GreedyAllocator
from scenarios.schema import Scenario
from simulation.engine import Simulation
from tests.builders.pos import stock_is_consistent
from tests.builders.simulation import hand_checkable_scenario, one_store_world, small_scenario, sku_codes


def shipments_by_order(records):
    frame = records.frame("shipments")
    orders = records.frame("orders")
    ids = dict(zip(orders.order_id, orders.order_id))
    return {ids[row.order_id]: row for row in frame.itertuples()}


def test_a_single_store_with_one_picker_works_its_queue_in_order(tmp_path):
    sku = sku_codes(1)[0]
    scenario = hand_checkable_scenario(tmp_path, [("A", "09:55", sku), ("B", "09:56", sku), ("C", "09:57", sku)])
    records = Simulation(scenario).run()
    ships = records.frame("shipments").sort_values("order_id")
    # The 10:00 wave allocates all three as the store opens; each takes 30 minutes of the one picker.
    assert ships.allocated_h.tolist() == pytest.approx([10.0, 10.0, 10.0])
    assert ships.pick_start_h.tolist() == pytest.approx([10.0, 10.5, 11.0], abs=1e-3)
    assert ships.queue_wait_h.tolist() == pytest.approx([0.0, 0.5, 1.0], abs=1e-3)
    assert ships.packed_h.tolist() == pytest.approx([10.5, 11.0, 11.5], abs=1e-3)


def test_an_order_packed_after_the_cut_off_misses_the_day(tmp_path):
    sku = sku_codes(1)[0]
    scenario = hand_checkable_scenario(tmp_path, [("EARLY", "17:00", sku), ("LATE", "18:05", sku),
                                                  ("NIGHT", "23:00", sku)])
    records = Simulation(scenario).run()
    orders = records.frame("orders").set_index("order_id")
    ships = records.frame("shipments").set_index("order_id")
    early, late, night = sorted(orders.index)
    assert ships.loc[early, "handed_over_h"] == pytest.approx(18.0)  # packed 17:40, the 18:00 courier takes it
    assert ships.loc[late, "handed_over_h"] == pytest.approx(42.0)  # packed 18:40: tomorrow's 18:00 pickup
    assert ships.loc[night, "pick_start_h"] == pytest.approx(34.0, abs=1e-3)  # the store opens at 10:00 next day
    assert ships.loc[night, "handed_over_h"] == pytest.approx(42.0)
    assert (orders.outcome == "delivered").all()


def test_every_order_ends_delivered_cancelled_or_unfulfilled_with_a_reason_and_stock_adds_up():
    scenario = small_scenario(fulfilment={"handling": {"store": {"rejection_probability": 0.3}}},
                              run={"drain_hours": 24})
    seen = {}

    def check(sim):
        skus = {sku for (_, sku) in sim.gateway.store.stock}
        seen["levels"] = len(stock_is_consistent(sim.gateway.uow, skus))

    records = Simulation(scenario, seed=3).run(inspect=check)
    orders = records.frame("orders")
    assert len(orders) == records.stats["orders_demanded"] > 200
    assert set(orders.outcome) <= {"delivered", "cancelled", "unfulfilled"}
    assert (orders[orders.outcome != "delivered"].reason != "").all()
    assert seen["levels"] > 0  # reservations at every node equal what its open shipments hold


def test_the_same_seed_gives_identical_records_and_another_seed_does_not():
    scenario = small_scenario(fulfilment={"handling": {"store": {"rejection_probability": 0.2}}})
    first, again, other = (Simulation(scenario, seed=s).run() for s in (5, 5, 6))
    assert first.orders == again.orders and first.shipments == again.shipments and first.waves[0].orders == \
        again.waves[0].orders
    assert first.backlog == again.backlog
    assert first.orders != other.orders


def test_allocation_and_rejections_run_through_the_oms_use_cases(monkeypatch):
    applied = []
    real_apply = oms.allocating.apply_plan
    monkeypatch.setattr(oms.allocating, "apply_plan", lambda *a, **k: applied.append(1) or real_apply(*a, **k))
    scenario = small_scenario(fulfilment={"handling": {"store": {"rejection_probability": 0.5}}},
                              network={"ship_from_store": {"mode": "all"}})
    seen = {}

    def check(sim):
        seen["planner"], seen["allocator"] = type(sim.planner), type(sim.gateway.allocator.inner)
        seen["audit"] = [a for state in sim.orders for a in sim.gateway.stored(state).audit]
        seen["rejections"] = [r for state in sim.orders for r in sim.gateway.stored(state).rejections]

    records = Simulation(scenario, seed=11).run(inspect=check)
    assert (seen["planner"], seen["allocator"]) == (OmsPlanner, GreedyAllocator)
    assert len(applied) == len(records.waves)  # every wave and re-allocation went through apply_plan
    actors = {a.actor for a in seen["audit"]}
    assert {"allocator:greedy", "reallocation:greedy"} <= actors
    assert seen["rejections"] and {r.reason for r in seen["rejections"]} == {"out_of_stock"}
    assert records.frame("orders").reallocations.sum() > 0


def test_a_node_outage_sends_no_new_work_there_and_gives_back_what_it_had_not_picked():
    scenario = small_scenario(shocks={"outages": [{"node_id": "RDC-WUHAN", "start_hour": 8, "end_hour": 20}]},
                              demand={"orders_per_day": 1500})
    seen = {}

    def check(sim):
        seen["closing"] = [(r.node_id, sim.clock.hours(r.at)) for state in sim.orders
                           for r in sim.gateway.stored(state).rejections if r.reason == "store_closing"]

    records = Simulation(scenario, seed=2).run(inspect=check)
    ships = records.frame("shipments")
    wuhan = ships[ships.node_id == "RDC-WUHAN"]
    assert not ((wuhan.allocated_h > 8) & (wuhan.allocated_h < 20)).any()
    assert not ((wuhan.pick_start_h > 8) & (wuhan.pick_start_h < 20)).any()
    assert seen["closing"] and set(seen["closing"]) == {("RDC-WUHAN", 8.0)}  # pulled back as it went down


def test_policies_compared_on_one_seed_meet_the_same_orders():
    none = small_scenario(network={"ship_from_store": {"mode": "none"}})
    every = small_scenario(network={"ship_from_store": {"mode": "all"}})
    a, b = Simulation(none, seed=9).demand(), Simulation(every, seed=9).demand()
    assert (a.paid_minute == b.paid_minute).all() and (a.line_sku == b.line_sku).all()
    assert (a.district == b.district).all()


def test_replayed_orders_sent_twice_are_stored_once(tmp_path):
    sku = sku_codes(1)[0]
    scenario = hand_checkable_scenario(tmp_path, [("A", "09:00", sku), ("A", "09:00", sku), ("B", "11:00", sku)])
    records = Simulation(scenario).run()
    assert len(records.orders) == 2


def test_stores_without_ship_from_store_ship_nothing(tmp_path):
    scenario = small_scenario(network={"ship_from_store": {"mode": "none"}}, demand={"orders_per_day": 300})
    ships = Simulation(scenario, seed=4).run().frame("shipments")
    assert len(ships) > 0 and (ships.node_kind != "store").all()


def test_an_unknown_node_in_a_shock_is_a_clear_error_before_the_run():
    from scenarios.loader import ScenarioError

    scenario = small_scenario(shocks={"outages": [{"node_id": "RDC-LHASA", "start_hour": 1, "end_hour": 2}]})
    with pytest.raises(ScenarioError) as err:
        Simulation(scenario).run()
    assert err.value.field == "shocks.outages[0].node_id"


def test_one_store_network_file_builds(tmp_path):
    path, skus = one_store_world(tmp_path)
    assert path.exists() and len(skus) == 2


def test_leaving_out_stock_of_stores_that_cannot_ship_changes_no_decision(monkeypatch):
    from simulation.world import World

    scenario = small_scenario(demand={"orders_per_day": 600})
    lean = Simulation(scenario, seed=8).run()
    everything = World.opening_levels
    monkeypatch.setattr(World, "opening_levels", lambda self, shipping_only=False: everything(self))
    full = Simulation(scenario, seed=8).run()
    assert lean.orders == full.orders and lean.shipments == full.shipments


def test_real_time_allocation_places_each_order_as_it_arrives(tmp_path):
    sku = sku_codes(1)[0]
    scenario = hand_checkable_scenario(tmp_path, [("A", "10:03", sku), ("B", "11:07", sku)])
    realtime = scenario.model_copy(update={"allocation": scenario.allocation.model_copy(update={"wave_minutes": 0})})
    ships = Simulation(realtime).run().frame("shipments").sort_values("order_id")
    assert ships.allocated_h.tolist() == pytest.approx([10.05, 11 + 7 / 60])


@pytest.mark.parametrize("keep, delivered", [(True, 0), (False, 1)])
def test_a_store_s_safety_stock_ships_online_only_when_the_policy_releases_it(tmp_path, keep, delivered):
    # One store holding 1 unit, its safety stock: the allocator may plan it only when the policy says
    # stores need not keep safety stock, and the OMS must then reserve it (it refused, and the order
    # waited wave after wave until it was cancelled).
    sku = sku_codes(1)[0]
    scenario = hand_checkable_scenario(tmp_path, [("A", "10:05", sku)], units=1)
    document = scenario.model_dump(mode="json")
    document["allocation"]["policy"]["keep_store_safety_stock"] = keep
    records = Simulation(Scenario.model_validate(document)).run()
    orders = records.frame("orders")
    assert int((orders.outcome == "delivered").sum()) == delivered
