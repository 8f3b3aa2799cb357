"""The allocator port: greedy, RDC-first and the optimiser are interchangeable behind it."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from allocation.problem import AllocationProblem, AllocationResult


@runtime_checkable
class Allocator(Protocol):
    """Decides which node ships each order line of a batch."""

    name: str

    def allocate(self, problem: AllocationProblem) -> AllocationResult: ...


def allocator_named(name: str, **options) -> Allocator:
    """Build an allocator by name: "greedy", "rdc_first" or "optimal"."""
    from allocation.greedy import GreedyAllocator
    from allocation.optimal import OptimalAllocator
    from allocation.rdc_first import RdcFirstAllocator

    kinds = {"greedy": GreedyAllocator, "rdc_first": RdcFirstAllocator, "optimal": OptimalAllocator}
    if name not in kinds:
        raise ValueError(f"allocator must be one of {sorted(kinds)}, got {name!r}")
    return kinds[name](**options)
