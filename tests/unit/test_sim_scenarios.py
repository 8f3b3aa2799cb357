"""Scenario files: the shipped ones validate, and a bad file is an error naming the key."""
from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.loader import SCENARIO_DIR, ScenarioError, apply_variant, load_scenario, parse_scenario

SHIPPED = ("baseline", "singles_day", "rdc_outage", "ship_from_store_rollout", "cold_snap", "school_season")


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_scenario_validates_and_says_what_question_it_answers(name):
    scenario = load_scenario(name)
    text = (SCENARIO_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert scenario.name == name and scenario.question
    assert text.startswith(f"# {name} —") and "Question:" in text
    assert scenario.network.stores == 1000


def test_the_rollout_compares_no_ship_from_store_with_the_300_largest_stores():
    scenario = load_scenario("ship_from_store_rollout")
    none, top = (apply_variant(scenario, v.name) for v in scenario.variants)
    assert none.network.ship_from_store.mode == "none"
    assert (top.network.ship_from_store.mode, top.network.ship_from_store.largest_stores) == ("largest", 300)
    assert none.demand == top.demand  # the same demand for both policies


def bad(tmp_path: Path, text: str) -> ScenarioError:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    return err.value


def test_a_misspelt_key_is_named_with_a_suggestion(tmp_path):
    error = bad(tmp_path, "name: x\ndemand:\n  chanels: {}\n")
    assert error.field == "demand.chanels"
    assert 'unknown key (did you mean "channels"?)' in error.message


def test_a_key_in_the_wrong_section_says_where_it_belongs(tmp_path):
    error = bad(tmp_path, "name: x\nallocation:\n  walk_in: {sales_per_open_hour: 4}\n")
    assert error.field == "allocation.walk_in"
    assert "unknown key here (it belongs at demand.walk_in)" in error.message
    error = bad(tmp_path, "name: x\ndemand:\n  rejection_probability: 0.1\n")
    assert "(it belongs at fulfilment.handling.<name>.rejection_probability)" in error.message


def test_a_value_out_of_range_names_the_key_and_the_rule(tmp_path):
    error = bad(tmp_path, "name: x\nfulfilment:\n  handling:\n    store: {rejection_probability: 1.5}\n")
    assert error.field == "fulfilment.handling.store.rejection_probability"
    assert "less than or equal to 1" in error.message


def test_routing_policy_and_transit_overrides_are_validated_too(tmp_path):
    assert bad(tmp_path, "name: x\nallocation:\n  policy: {rules: [{name: r, action: maybe}]}\n").field == \
        "allocation.policy.rules[0].action"
    assert bad(tmp_path, "name: x\nfulfilment:\n  transit: {rider: {max_km: -1}}\n").field == \
        "fulfilment.transit.rider.max_km"


def test_a_bad_variant_is_found_before_any_run(tmp_path):
    error = bad(tmp_path, "name: x\nvariants:\n  - name: v\n    overrides: {network: {stores: -3}}\n")
    assert error.field == "variants[0].overrides.network.stores"


def test_broken_yaml_says_where(tmp_path):
    assert "line 2" in bad(tmp_path, "name: [1\n").message


def test_mappings_merge_into_the_defaults_and_lists_replace_them():
    scenario = parse_scenario({"name": "x", "demand": {"channels": {"tmall": {"share": 0.5}}},
                               "fulfilment": {"handling": {"store": {"rejection_probability": 0.1}}}})
    assert scenario.demand.channels["tmall"].share == 0.5 and "jd" in scenario.demand.channels
    assert scenario.fulfilment.handling["store"].rejection_probability == 0.1
    assert scenario.fulfilment.handling["store"].per_order_minutes == 3.0  # the default kept
    assert "rdc" in scenario.fulfilment.handling


def test_a_run_needs_a_time_zone():
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"name": "x", "run": {"start": "2026-06-10T00:00:00"}})
    assert err.value.field == "run.start"


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_scenario_runs_when_scaled_down(name):
    from scenarios.loader import deep_merge
    from simulation.compare import policies_of
    from simulation.engine import Simulation

    full = load_scenario(name)
    small = deep_merge(full.model_dump(mode="json"), {
        "network": {"stores": 12, "styles": 40},
        "demand": {"orders_per_day": max(150, full.demand.orders_per_day // 500)},
        "run": {"drain_hours": 48}})
    if full.network.ship_from_store.mode == "largest":
        small["network"]["ship_from_store"]["largest_stores"] = 4
    for variant in small.get("variants", []):
        if variant["overrides"].get("network", {}).get("ship_from_store", {}).get("mode") == "largest":
            variant["overrides"]["network"]["ship_from_store"]["largest_stores"] = 4
    for scenario in policies_of(parse_scenario(small)):
        records = Simulation(scenario).run()
        assert len(records.orders) > 0 and records.stats["events"] > 0
