"""Replications on a Dask cluster give the same answers as local worker processes."""
from __future__ import annotations

import pytest

from simulation.replications import replications
from tests.builders.simulation import small_scenario

distributed = pytest.importorskip("distributed", reason="the optional extra `dask` is not installed")


def test_replications_on_a_dask_cluster_match_local_ones():
    scenario = small_scenario(demand={"orders_per_day": 150}, run={"drain_hours": 72})
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = replications(scenario, 2, cluster=cluster.scheduler_address)
    assert remote.summaries == replications(scenario, 2, workers=1).summaries
