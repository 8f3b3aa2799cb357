"""Replications, confidence intervals and policy comparison on common random numbers."""
from __future__ import annotations

import math

import pytest

from simulation.compare import compare, policies_of
from simulation.replications import estimate, replications, t_quantile_975
from tests.builders.simulation import small_scenario


def test_t_quantiles_match_the_tables():
    assert t_quantile_975(1) == pytest.approx(12.706)
    assert t_quantile_975(9) == pytest.approx(2.262)
    assert 2.042 > t_quantile_975(35) > 2.021
    assert t_quantile_975(10_000) == pytest.approx(1.95996, abs=1e-4)


def test_a_confidence_interval_from_replications():
    e = estimate([10.0, 12.0, 11.0, 13.0, 9.0])
    assert e.mean == 11.0 and e.n == 5
    assert e.half_width == pytest.approx(2.776 * math.sqrt(2.5) / math.sqrt(5), rel=1e-3)
    assert math.isnan(estimate([4.0]).half_width)


def test_replications_use_consecutive_seeds_and_are_reproducible():
    scenario = small_scenario(demand={"orders_per_day": 200}, run={"drain_hours": 72})
    first = replications(scenario, 2, workers=1)
    again = replications(scenario, 2, workers=1)
    assert first.seeds == (42, 43)
    assert first.summaries == again.summaries
    assert first.summaries[0] != first.summaries[1]
    est = first.estimates()["within_24h_pct"]
    assert est.n == 2 and est.half_width == est.half_width


def test_replications_run_in_parallel_worker_processes_with_the_same_answers():
    scenario = small_scenario(demand={"orders_per_day": 200}, run={"drain_hours": 72})
    serial = replications(scenario, 2, workers=1)
    parallel = replications(scenario, 2, workers=2)
    assert parallel.summaries == serial.summaries


def test_two_policies_on_the_same_demand_differ_only_by_the_policy():
    base = small_scenario(demand={"orders_per_day": 300}, run={"drain_hours": 72},
                          variants=[{"name": "none", "overrides": {"network": {"ship_from_store": {"mode": "none"}}}},
                                    {"name": "all", "overrides": {"network": {"ship_from_store": {"mode": "all"}}}}])
    policies = policies_of(base)
    result = compare(policies, 1, workers=1)
    assert result.names == ("small/none", "small/all")
    none, every = (r.summaries[0] for r in result.runs)
    assert none["orders"] == every["orders"]  # the same orders arrived
    assert none["share_shipped_by_store_pct"] == 0 < every["share_shipped_by_store_pct"]
    assert result.difference("orders", 1).mean == 0
