"""Walk-in customers at the stores' tills share the stock with online orders (`simulation.walk_in`)."""
from __future__ import annotations

import pytest

from scenarios.loader import ScenarioError, parse_scenario
from scenarios.schema import Scenario
from simulation.engine import Simulation
from tests.builders.pos import stock_is_consistent
from tests.builders.simulation import hand_checkable_scenario, small_scenario, sku_codes

WALK_IN_KEYS = {"walk_in_sales", "walk_in_empty_shelf", "walk_in_promised_units_sold", "lines_short_after_walk_in"}


def with_walk_ins(scenario: Scenario, per_hour: float) -> Scenario:
    document = scenario.model_dump(mode="json")
    document["demand"]["walk_in"] = {"sales_per_open_hour": per_hour}
    return Scenario.model_validate(document)


def test_till_sales_take_units_promised_online_and_the_picker_gives_those_lines_back(tmp_path):
    # One store, one picker taking ~30 min an order, 20 units of each of two SKUs; 15 online orders of the
    # first SKU paid before it opens, all reserved at 09:10. From 10:00 the picker works them one by one
    # while customers at the till buy 6 units an hour: the 5 spare units go first, then promised ones.
    sku = sku_codes(1)[0]
    orders = [(f"O{i:02d}", "09:00", sku) for i in range(15)]
    scenario = with_walk_ins(hand_checkable_scenario(tmp_path, orders), 6.0)
    seen = {}

    def check(sim):
        seen["stock"] = stock_is_consistent(sim.gateway.uow, sku_codes())
        seen["basket"] = dict(sim.walk_ins.basket)

    records = Simulation(scenario).run(inspect=check)
    stats, ords = records.stats, records.frame("orders")
    assert stats["walk_in_sales"] > 5 and stats["walk_in_promised_units_sold"] > 0
    assert stats["lines_short_after_walk_in"] == stats["walk_in_promised_units_sold"] > 0  # one unit a line
    assert ords.rejected_lines.sum() == stats["lines_short_after_walk_in"]  # no other cause of rejection here
    delivered = int((ords.outcome == "delivered").sum())
    sold_first_sku = 20 - seen["stock"][("ST01", sku)].on_hand - delivered
    assert 0 < sold_first_sku <= stats["walk_in_sales"]  # the till and the parcels never take more than there was
    assert delivered + stats["lines_short_after_walk_in"] == 15  # every promised unit: shipped, or found sold
    assert set(ords.outcome) <= {"delivered", "cancelled", "unfulfilled"}
    assert (ords[ords.outcome != "delivered"].reason != "").all()
    assert seen["basket"] == {}  # every basket ended handed over


def test_walk_ins_are_the_same_for_the_same_seed_and_off_by_default():
    scenario = small_scenario(demand={"orders_per_day": 300, "walk_in": {"sales_per_open_hour": 3}},
                              run={"drain_hours": 48})
    first, again = Simulation(scenario, seed=4).run(), Simulation(scenario, seed=4).run()
    assert first.orders == again.orders and first.shipments == again.shipments
    assert {k: first.stats[k] for k in WALK_IN_KEYS} == {k: again.stats[k] for k in WALK_IN_KEYS}
    assert first.stats["walk_in_sales"] > 50  # 3 stores ship, ~12 open hours, 3 customers an hour
    off = Simulation(small_scenario(demand={"orders_per_day": 300}, run={"drain_hours": 48}), seed=4).run()
    assert not WALK_IN_KEYS & set(off.stats)


def test_a_bad_walk_in_rate_names_the_key():
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"name": "x", "demand": {"walk_in": {"sales_per_open_hour": -1}}})
    assert "demand.walk_in.sales_per_open_hour" in str(err.value)
