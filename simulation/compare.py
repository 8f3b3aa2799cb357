"""Policies compared on the same demand: common random numbers.

Every scenario runs with the same seeds; since each random stream derives from the seed and its own
name (and per-order luck is drawn per order, `simulation/rng.py`), two policies see the same orders
with the same handling times, shelf surprises and transit draws. The difference of a KPI is taken
seed by seed, so its confidence interval is far narrower than that of either KPI alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from scenarios.loader import apply_variant
from scenarios.schema import Scenario
from simulation.replications import Estimate, Replications, estimate, run_many


@dataclass(frozen=True)
class Comparison:
    runs: tuple[Replications, ...]  # one per scenario/policy, same seeds

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.scenario for r in self.runs)

    def difference(self, key: str, other: int, base: int = 0) -> Estimate:
        """KPI of run `other` minus run `base`, paired seed by seed."""
        a, b = self.runs[base].summaries, self.runs[other].summaries
        return estimate([y[key] - x[key] for x, y in zip(a, b)])


def policies_of(scenario: Scenario) -> list[Scenario]:
    """The scenario's variants as scenarios of their own (or the scenario itself when it has none)."""
    if not scenario.variants:
        return [scenario]
    return [apply_variant(scenario, v.name) for v in scenario.variants]


def compare(scenarios: list[Scenario], replications: int = 1, *, seed: int | None = None, workers: int | None = None,
            cluster: str | None = None, done=None) -> Comparison:
    """Run each scenario on the same seeds (the first scenario's seed, or `seed`)."""
    base_seed = scenarios[0].seed if seed is None else seed
    seeds = tuple(base_seed + i for i in range(replications))
    tasks = [(s, k) for s in scenarios for k in seeds]
    results = run_many(tasks, workers=workers, cluster=cluster, done=done)
    runs = []
    for i, scenario in enumerate(scenarios):
        mine = results[i * len(seeds):(i + 1) * len(seeds)]
        runs.append(Replications(scenario.name, seeds, tuple(r[0] for r in mine), tuple(r[1] for r in mine)))
    return Comparison(tuple(runs))
