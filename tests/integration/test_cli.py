"""The command line on a real database: setup, a wave, escalation."""
from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings

runner = CliRunner()


def run(args, url, monkeypatch):
    monkeypatch.setenv("OMS_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return runner.invoke(app, args, catch_exceptions=False)
    finally:
        get_settings.cache_clear()


def test_setup_loads_a_network_then_a_wave_and_escalation_run(database_url, monkeypatch):
    loaded = run(["setup", "--stores", "10", "--styles", "10"], database_url, monkeypatch)
    assert loaded.exit_code == 0 and "loaded 17 nodes" in loaded.output
    wave = run(["allocate", "--allocator", "greedy"], database_url, monkeypatch)
    assert wave.exit_code == 0 and "empty" in wave.output
    escalation = run(["escalate"], database_url, monkeypatch)
    assert escalation.exit_code == 0 and "escalated 0 shipment(s)" in escalation.output


def test_a_wave_takes_a_time_limit_for_the_optimal_allocator_only(database_url, monkeypatch):
    assert run(["setup", "--stores", "10", "--styles", "10"], database_url, monkeypatch).exit_code == 0
    wave = run(["allocate", "--time-limit", "5"], database_url, monkeypatch)
    assert wave.exit_code == 0 and "empty" in wave.output
    refused = run(["allocate", "--allocator", "greedy", "--time-limit", "5"], database_url, monkeypatch)
    assert refused.exit_code == 2 and "takes a time limit" in " ".join(refused.output.replace("│", " ").split())
    assert run(["allocate", "--time-limit", "0.5"], database_url, monkeypatch).exit_code == 2  # below 1 s
