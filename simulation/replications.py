"""Independent replications of a scenario, each KPI reported with a 95% confidence interval.

Replication i runs with seed ``scenario.seed + i`` (every stream of a run derives from its seed, so
replications are independent and a policy compared on the same seeds meets the same demand). They
run in parallel: local worker processes by default, or a Dask cluster (``tcp://…``) or a Ray
cluster (``ray://…``) when an address is given.
"""
from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from statistics import NormalDist, mean, stdev
from typing import Callable, Iterable

from scenarios.schema import Scenario

# Student's t, 97.5th percentile, by degrees of freedom (scipy's values, so scipy is not needed).
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
         20: 2.086, 25: 2.060, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


def t_quantile_975(df: int) -> float:
    if df < 1:
        return float("nan")
    if df in _T975:
        return _T975[df]
    known = sorted(_T975)
    if df > known[-1]:
        return NormalDist().inv_cdf(0.975)
    upper = next(k for k in known if k > df)
    lower = max(k for k in known if k < df)
    share = (1 / df - 1 / upper) / (1 / lower - 1 / upper)  # interpolate in 1/df
    return _T975[upper] + share * (_T975[lower] - _T975[upper])


@dataclass(frozen=True)
class Estimate:
    mean: float
    half_width: float  # of the 95% confidence interval (nan with one replication)
    sd: float
    n: int


def estimate(values: list[float]) -> Estimate:
    values = [v for v in values if v == v]  # nan (e.g. no delivered order) carries no information
    if not values:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    if len(values) == 1:
        return Estimate(values[0], float("nan"), float("nan"), 1)
    sd = stdev(values)
    return Estimate(mean(values), t_quantile_975(len(values) - 1) * sd / math.sqrt(len(values)), sd, len(values))


@dataclass(frozen=True)
class Replications:
    scenario: str
    seeds: tuple[int, ...]
    summaries: tuple[dict, ...]  # kpis.summary of each replication, in seed order
    stats: tuple[dict, ...]

    def estimates(self) -> dict[str, Estimate]:
        keys = self.summaries[0].keys() if self.summaries else ()
        return {k: estimate([s[k] for s in self.summaries]) for k in keys}

    def replications_needed(self, key: str = "within_24h_pct", half_width: float = 0.5) -> int | None:
        """Replications for the CI half-width of `key` to reach `half_width` (normal approximation)."""
        est = self.estimates().get(key)
        if est is None or est.n < 2 or est.sd != est.sd:
            return None
        return max(est.n, math.ceil((NormalDist().inv_cdf(0.975) * est.sd / half_width) ** 2))


def replicate(document: dict, seed: int) -> tuple[dict, dict]:
    """One replication in a worker: (KPI summary, engine stats). Takes plain data so any executor can ship it."""
    from simulation import kpis
    from simulation.engine import Simulation

    records = Simulation(Scenario.model_validate(document), seed).run()
    return kpis.summary(records), records.stats


def run_many(tasks: list[tuple[Scenario, int]], *, workers: int | None = None, cluster: str | None = None,
             done: Callable[[int], None] | None = None) -> list[tuple[dict, dict]]:
    """Run (scenario, seed) pairs in parallel; results in the order of `tasks`."""
    documents = [(scenario.model_dump(mode="json"), seed) for scenario, seed in tasks]
    if cluster:
        return _on_cluster(cluster, documents, done)
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    if workers == 1:
        return [_tick(replicate(doc, seed), done, i) for i, (doc, seed) in enumerate(documents)]
    _warm_worlds(task[0] for task in tasks)  # forked workers inherit the built network and matrix
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(replicate, doc, seed) for doc, seed in documents]
        return [_tick(f.result(), done, i) for i, f in enumerate(futures)]


def replications(scenario: Scenario, n: int, **options) -> Replications:
    seeds = tuple(scenario.seed + i for i in range(n))
    results = run_many([(scenario, s) for s in seeds], **options)
    return Replications(scenario.name, seeds, tuple(r[0] for r in results), tuple(r[1] for r in results))


def _tick(result, done, i):
    if done is not None:
        done(i)
    return result


def _warm_worlds(scenarios: Iterable[Scenario]) -> None:
    from simulation.world import world_of

    for scenario in scenarios:
        if scenario.demand.replay is None or scenario.demand.replay.path is not None:
            world_of(scenario)


class ClusterError(Exception):
    """A cluster address that cannot be used: its engine's extra is not installed, or nothing answers there."""


CONNECT_TIMEOUT_S = 30.0  # a Dask scheduler that does not answer in this long is an error (Ray's client gives up after
# about as long on its own)


def _on_cluster(address: str, documents: list[tuple[dict, int]],
                done: Callable[[int], None] | None = None) -> list[tuple[dict, dict]]:
    """Replications on a Ray cluster (``ray://host:port``, through Ray Client) or a Dask scheduler (any other
    address); results in the order of `documents`, `done(i)` as each one comes back."""
    return (_on_ray if address.startswith("ray://") else _on_dask)(address, documents, done)


def _on_ray(address: str, documents, done) -> list[tuple[dict, dict]]:
    ray = _engine("ray", "Ray", "ray")
    try:
        connection = ray.init(address=address, log_to_driver=False)
    except ConnectionError as exc:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {exc}") from None
    with connection:  # a client connection, closed on the way out
        remote = ray.remote(replicate)
        refs = [remote.remote(doc, seed) for doc, seed in documents]
        index = {ref: i for i, ref in enumerate(refs)}
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            _tick(None, done, index[ready[0]])
        return ray.get(refs)


def _on_dask(address: str, documents, done) -> list[tuple[dict, dict]]:
    distributed = _engine("distributed", "Dask", "dask")
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask cluster at {address}: {exc}") from None
    with client:
        futures = client.map(replicate, [d for d, _ in documents], [s for _, s in documents], pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in distributed.as_completed(futures):
            _tick(None, done, index[future.key])
        return client.gather(futures)


def _engine(module: str, engine: str, extra: str):
    """The engine's client module, or a ClusterError naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ClusterError(f"a {engine} cluster needs the optional extra `{extra}` (pip install "
                           f"'omnichannel-oms[{extra}]', or -e '.[{extra}]' in a checkout): {exc}") from None
