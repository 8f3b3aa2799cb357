"""Allocation engine: which node ships each order line. Pure library over plain input data.

    from allocation import AllocationProblem, OptimalAllocator
    result = OptimalAllocator(time_limit_s=15).allocate(problem)

Allocators (same `Allocator` port): `OptimalAllocator` (exact per-order plans +
LP/MIP master or min-cost-flow core, with a Lagrangian lower bound),
`GreedyAllocator` (nearest node with stock), `RdcFirstAllocator`;
`RealtimeAllocator.allocate_order` for one order as it arrives.
"""
from allocation.costs import CostWeights, RejectionObservation, learn_rejection_rates
from allocation.greedy import GreedyAllocator
from allocation.optimal import OptimalAllocator
from allocation.policy import ChannelPolicy, NodeFilter, RoutingPolicy, RoutingRule, load_policy
from allocation.ports import Allocator, allocator_named
from allocation.problem import (AllocationInputError, AllocationProblem, AllocationResult, Alternative, Backorder,
                                CostBreakdown, Destination, LaneCosts, LaneQuote, LineToAllocate, NodeState,
                                OrderToAllocate, Shipment, Stock)
from allocation.rdc_first import RdcFirstAllocator
from allocation.realtime import RealtimeAllocator

__all__ = [
    "AllocationInputError", "AllocationProblem", "AllocationResult", "Allocator", "Alternative", "Backorder",
    "ChannelPolicy", "CostBreakdown", "CostWeights", "Destination", "GreedyAllocator", "LaneCosts", "LaneQuote",
    "LineToAllocate", "NodeFilter", "NodeState", "OptimalAllocator", "OrderToAllocate", "RdcFirstAllocator",
    "RealtimeAllocator", "RejectionObservation", "RoutingPolicy", "RoutingRule", "Shipment", "Stock",
    "allocator_named", "learn_rejection_rates", "load_policy",
]
