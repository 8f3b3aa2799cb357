"""Routing rules applied to arrays of (order, node) pairs.

Hard rules ("only", "exclude", channel pools, policy switches) make pairs
ineligible; "prefer" rules become a cost tier per pair.
"""
from __future__ import annotations

import numpy as np

from allocation.batch import STORE, NetworkArrays, OrderArrays
from allocation.costs import KIND_CODES
from allocation.policy import NodeFilter, RoutingPolicy, RoutingRule


def channel_node_mask(policy: RoutingPolicy, net: NetworkArrays, orders: OrderArrays) -> np.ndarray:
    """bool [channel, node]: nodes a channel's orders may use, before order-specific rules."""
    masks = np.repeat(net.usable[None, :], len(orders.channel_names), axis=0)
    for c, name in enumerate(orders.channel_names):
        allowed = np.array([a is None or name in a for a in net.allowed_channels], dtype=bool)
        masks[c] &= allowed
        pool = policy.channel(name).pool_kinds
        if pool is not None:
            masks[c] &= np.isin(net.kind, [KIND_CODES[k] for k in pool])
    return masks


def store_reserve_units(policy: RoutingPolicy, orders: OrderArrays) -> np.ndarray:
    """int per order: units each store keeps back from this order's channel."""
    per_channel = np.array([policy.channel(c).store_safety_units for c in orders.channel_names], dtype=np.int64)
    return per_channel[orders.channel] if len(per_channel) else np.zeros(0, dtype=np.int64)


def filter_mask(flt: NodeFilter, net: NetworkArrays, nodes: np.ndarray, order_city: np.ndarray) -> np.ndarray:
    """bool [O, K]: candidate nodes (-1 = none) that match a rule's node filter (min_units aside)."""
    nd = np.maximum(nodes, 0)
    ok = nodes >= 0
    if flt.kinds is not None:
        ok &= np.isin(net.kind[nd], [KIND_CODES[k] for k in flt.kinds])
    if flt.owners is not None:
        want_franchise = "franchisee" in flt.owners
        want_brand = "brand" in flt.owners
        fr = net.franchise[nd]
        ok &= (fr & want_franchise) | (~fr & want_brand)
    if flt.same_city is not None:
        same = net.city[nd] == order_city[:, None]
        ok &= same if flt.same_city else ~same
    if flt.node_ids is not None:
        ok &= np.isin(nd, [i for i, n in enumerate(net.node_ids) if n in flt.node_ids])
    if flt.exclude_node_ids:
        ok &= ~np.isin(nd, [i for i, n in enumerate(net.node_ids) if n in flt.exclude_node_ids])
    return ok


def _applies(rule: RoutingRule, orders: OrderArrays) -> np.ndarray:
    if rule.channels is None:
        return np.ones(orders.n_orders, dtype=bool)
    codes = [i for i, c in enumerate(orders.channel_names) if c in rule.channels]
    return np.isin(orders.channel, codes)


def hard_rule_mask(policy: RoutingPolicy, net: NetworkArrays, orders: OrderArrays, nodes: np.ndarray) -> np.ndarray:
    """bool [O, K]: pairs that survive every "only" and "exclude" rule (min_units checked per item)."""
    ok = nodes >= 0
    for rule in policy.rules:
        if rule.action == "prefer":
            continue
        hit = filter_mask(rule.nodes, net, nodes, orders.city)
        applies = _applies(rule, orders)[:, None]
        ok &= ~applies | (hit if rule.action == "only" else ~hit)
    return ok


def min_units_rules(policy: RoutingPolicy, orders: OrderArrays) -> list[tuple[np.ndarray, RoutingRule]]:
    """Hard rules with a per-line unit floor, with the orders they apply to."""
    return [(_applies(r, orders), r) for r in policy.rules
            if r.action in ("only", "exclude") and r.nodes.min_units_per_line > 0]


def preference_cost(policy: RoutingPolicy, net: NetworkArrays, orders: OrderArrays, nodes: np.ndarray,
                    order_stock: np.ndarray) -> np.ndarray:
    """float [O, K]: soft routing cost per parcel from "prefer" tiers, sorts and store-first.

    `order_stock` [O, K] is the units the node holds of the order's SKUs (for
    "most_stock" sorts and min-unit filters of prefer rules).
    """
    cost = np.zeros(nodes.shape, dtype=float)
    prefer = [r for r in policy.rules if r.action == "prefer"]
    if prefer:
        tier = np.full(nodes.shape, len(prefer), dtype=np.int64)
        for t, rule in reversed(list(enumerate(prefer))):
            hit = filter_mask(rule.nodes, net, nodes, orders.city) & _applies(rule, orders)[:, None]
            hit &= order_stock >= rule.nodes.min_units_per_line
            tier = np.where(hit, t, tier)
            if rule.sort_by == "most_stock":
                rank = np.argsort(np.argsort(-np.where(hit, order_stock, -1), axis=1, kind="stable"), axis=1)
                cost += np.where(hit, rank * policy.sort_step_fen, 0)
        applies_any = np.zeros(orders.n_orders, dtype=bool)
        for r in prefer:
            applies_any |= _applies(r, orders)
        cost += np.where(applies_any[:, None], tier * policy.tier_step_fen, 0)
    if policy.store_first_same_city:
        nd = np.maximum(nodes, 0)
        same_city_store = (net.kind[nd] == STORE) & (net.city[nd] == orders.city[:, None])
        cost += np.where(same_city_store, 0, policy.store_first_penalty_fen)
    return cost
