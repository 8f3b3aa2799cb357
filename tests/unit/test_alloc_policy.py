"""Routing policy as data, honoured by the optimiser as constraints and costs."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from allocation.optimal import OptimalAllocator
from allocation.policy import ChannelPolicy, NodeFilter, RoutingPolicy, RoutingRule, load_policy
from allocation.problem import NodeState
from allocation.testing import order, problem

STORE = NodeState("S1", "store", city="A")
FRANCHISE = NodeState("F1", "store", owner="franchisee", city="A")
RDC = NodeState("R1", "rdc", city="W")
NODES = [STORE, FRANCHISE, RDC]
COST = [[500], [400], [1200]]  # per parcel incl. handling: S1 1300, F1 1200, R1 1510
ATP = {("S1", "a"): 3, ("F1", "a"): 3, ("R1", "a"): 9}


def nodes_used(policy: RoutingPolicy, *orders, atp=ATP, nodes=NODES, cost=COST):
    result = OptimalAllocator().allocate(problem(list(orders) or [order("o1", ("a", 1))], nodes, atp, cost,
                                                 policy=policy))
    return sorted(s.node_id for s in result.shipments), result


def test_without_rules_the_nearest_store_ships():
    assert nodes_used(RoutingPolicy())[0] == ["F1"]


def test_never_franchise_stock_for_platform_orders():
    rule = RoutingRule(name="no franchise for tmall", action="exclude", channels=frozenset({"tmall"}),
                       nodes=NodeFilter(owners=frozenset({"franchisee"})))
    policy = RoutingPolicy(rules=(rule,))
    assert nodes_used(policy, order("o1", ("a", 1), channel="tmall"))[0] == ["S1"]
    assert nodes_used(policy, order("o1", ("a", 1), channel="mini_program"))[0] == ["F1"]


def test_switches_rdc_only_and_no_franchise_stock():
    assert nodes_used(RoutingPolicy(rdc_only=True))[0] == ["R1"]
    assert nodes_used(RoutingPolicy(no_franchise_stock=True))[0] == ["S1"]


def test_only_stores_holding_enough_units():
    rule = RoutingRule(name="only deep stock", action="only", nodes=NodeFilter(min_units_per_line=5))
    assert nodes_used(RoutingPolicy(rules=(rule,)))[0] == ["R1"]


def test_prefer_rule_makes_a_tier_that_outweighs_a_small_cost_difference():
    rule = RoutingRule(name="brand stock first", action="prefer", nodes=NodeFilter(owners=frozenset({"brand"})))
    assert nodes_used(RoutingPolicy(rules=(rule,)))[0] == ["S1"]


def test_store_first_for_same_city_beats_a_cheaper_warehouse():
    cost = [[500], [400], [100]]  # R1 410 beats F1 1200 until store-first adds 1500 to it
    assert nodes_used(RoutingPolicy(), cost=cost)[0] == ["R1"]
    assert nodes_used(RoutingPolicy(store_first_same_city=True), cost=cost)[0] == ["F1"]


def test_a_split_parcel_below_the_minimum_value_is_not_allowed():
    atp = {("S1", "a"): 1, ("F1", "b"): 1}
    two_lines = order("o1", ("a", 1), ("b", 1), value_fen=3000)
    assert nodes_used(RoutingPolicy(), two_lines, atp=atp)[0] == ["F1", "S1"]
    used, result = nodes_used(RoutingPolicy(min_split_shipment_value_fen=5000), two_lines, atp=atp)
    assert len(used) <= 1 and result.backorders


def test_daily_order_limit_caps_a_store():
    orders = [order("o1", ("a", 1)), order("o2", ("a", 1), minutes=1)]
    used, _ = nodes_used(RoutingPolicy(default_store_daily_order_limit=1), *orders,
                         nodes=[STORE, RDC], atp={("S1", "a"): 5, ("R1", "a"): 5}, cost=[[500], [1200]])
    assert used == ["R1", "S1"]


def test_channel_safety_stock_holds_store_units_back_from_that_channel():
    policy = RoutingPolicy(channels={"jd": ChannelPolicy(store_safety_units=3)})
    assert nodes_used(policy, order("o1", ("a", 1), channel="jd"))[0] == ["R1"]
    assert nodes_used(policy, order("o1", ("a", 1), channel="tmall"))[0] == ["F1"]


def test_hard_ship_by_deadline_excludes_slow_nodes():
    slow = NodeState("S1", "store", city="A", handover_lead_hours=30)
    policy = RoutingPolicy(channels={"jd": ChannelPolicy(ship_by_hours=24, hard_ship_by=True)})
    used, _ = nodes_used(policy, order("o1", ("a", 1), channel="jd"), nodes=[slow, RDC],
                         atp={("S1", "a"): 1, ("R1", "a"): 1}, cost=[[100], [1200]])
    assert used == ["R1"]


def test_policy_loads_from_yaml_and_names_the_bad_field():
    policy = load_policy("""
rules:
  - name: same-city stores first
    action: prefer
    nodes: {kinds: [store], same_city: true}
no_franchise_stock: true
channels:
  tmall: {ship_by_hours: 24, late_ship_penalty_fen: 3000}
""")
    assert policy.rules[0].nodes.same_city and policy.channel("tmall").ship_by_hours == 24
    with pytest.raises(ValidationError, match="max_parcels_per_order"):
        RoutingPolicy.model_validate({"max_parcels_per_order": 0})


def test_the_rejection_matrix_is_each_nodes_own_rate_per_family():
    from allocation.batch import _rejection_rates
    from allocation.problem import NodeState

    nodes = (NodeState("A", "store", "brand", "420100", ship_to_home=True),
             NodeState("B", "store", "brand", "420100", ship_to_home=True, rejection_rate={"*": 0.2}),
             NodeState("C", "store", "brand", "420100", ship_to_home=True, rejection_rate={"shoes": 0.5}),
             NodeState("D", "rdc", "brand", "420100", ship_to_home=True,
                       rejection_rate={"*": 0.1, "bags": 0.3, "unseen": 0.9}))
    fam_at = {f: i for i, f in enumerate(["*", "bags", "shoes"])}
    got = _rejection_rates(nodes, fam_at)
    assert got.tolist() == [[nd.rejection_for(f) for f in fam_at] for nd in nodes]
