"""Replications on a Dask or a Ray cluster give the same answers as local worker processes; a cluster that
cannot be used is a clear error."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from simulation import replications as reps
from simulation.replications import ClusterError, replications
from tests.builders.simulation import small_scenario
from tests.conftest import free_port


def _scenario():
    return small_scenario(demand={"orders_per_day": 150}, run={"drain_hours": 72})


def test_replications_on_a_dask_cluster_match_local_ones():
    distributed = pytest.importorskip("distributed", reason="the optional extra `dask` is not installed")
    scenario, ticked = _scenario(), []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = replications(scenario, 2, cluster=cluster.scheduler_address, done=ticked.append)
    assert remote.summaries == replications(scenario, 2, workers=1).summaries
    assert sorted(ticked) == [0, 1]  # the progress bar moves as each replication comes back


@pytest.fixture
def ray_head(tmp_path):
    """A throw-away Ray head on loopback with its client server; the address to give `--cluster`."""
    pytest.importorskip("ray", reason="the optional extra `ray` is not installed")
    client_port, log = free_port(), tmp_path / "ray-head.log"
    sessions = tempfile.mkdtemp(prefix="oms-ray-")  # short: Ray's socket paths must fit in 107 characters
    command = [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--node-ip-address=127.0.0.1",
               f"--port={free_port()}", f"--ray-client-server-port={client_port}", "--num-cpus=2",
               "--include-dashboard=false", "--disable-usage-stats", "--object-store-memory=100000000",
               f"--temp-dir={sessions}"]
    with log.open("wb") as out:
        # Without gRPC's fork handlers in the head: with them, the process it forks for a client that connects
        # while another one closes died at start in 3 of about 20 runs here ("epoll_wait error: Bad file
        # descriptor"), and the client waited 30 s for it (0 of 18 runs without them)
        head = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "GRPC_ENABLE_FORK_SUPPORT": "0"})
    try:
        deadline = time.monotonic() + 90
        while "Ray runtime started" not in log.read_text(errors="replace") or not _listening(client_port):
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Ray head did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield f"ray://127.0.0.1:{client_port}"
    finally:
        head.terminate()  # `--block`: it stops the head's processes on its way out
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()
        shutil.rmtree(sessions, ignore_errors=True)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_replications_on_a_ray_cluster_match_local_ones(ray_head):
    scenario, ticked = _scenario(), []
    remote = replications(scenario, 2, cluster=ray_head, done=ticked.append)
    assert remote.summaries == replications(scenario, 2, workers=1).summaries
    assert sorted(ticked) == [0, 1]
    again = replications(scenario, 1, cluster=ray_head)  # the first connection was closed: a second one works
    assert again.summaries == remote.summaries[:1]


@pytest.mark.parametrize("address, module, extra", [("ray://127.0.0.1:10001", "ray", "ray"),
                                                    ("tcp://127.0.0.1:8786", "distributed", "dask")])
def test_a_cluster_without_its_extra_installed_names_the_extra(monkeypatch, address, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # `import <module>` now fails as if it were not installed
    with pytest.raises(ClusterError, match=f"extra `{extra}`"):
        replications(_scenario(), 2, cluster=address)


def test_a_cluster_that_does_not_answer_is_an_error_naming_it(monkeypatch):
    pytest.importorskip("distributed", reason="the optional extra `dask` is not installed")
    monkeypatch.setattr(reps, "CONNECT_TIMEOUT_S", 1.0)
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(ClusterError, match=f"cannot reach the Dask cluster at {address}"):
        replications(_scenario(), 2, cluster=address)
