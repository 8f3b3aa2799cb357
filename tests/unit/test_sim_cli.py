"""`oms simulate` and `oms compare` as a planner types them."""
from __future__ import annotations

import json
import sys

import pandas as pd
import yaml
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
TINY = {"name": "tiny", "network": {"stores": 10, "styles": 40, "seed": 7}, "demand": {"orders_per_day": 250},
        "run": {"drain_hours": 72}}


def write(tmp_path, name, document):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_simulate_prints_the_report_and_writes_a_reproducible_run_folder(tmp_path):
    scenario = write(tmp_path, "tiny", TINY)
    out = tmp_path / "run"
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "delivered within 24 h of payment" in result.output and "by region" in result.output
    for name in ("kpis/summary.csv", "kpis/summary.parquet", "kpis/by_channel.csv", "kpis/unfulfilled.csv",
                 "records/orders.parquet", "charts/delivery_time_cdf.png", "charts/backlog_by_node_kind.png",
                 "charts/within_24h_by_region.png", "scenario.resolved.yaml", "stats.json"):
        assert (out / name).exists(), name
    first = pd.read_csv(out / "kpis/summary.csv")
    again = runner.invoke(app, ["simulate", str(out / "scenario.resolved.yaml"), "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(first, pd.read_csv(tmp_path / "again/kpis/summary.csv"))
    assert json.loads((out / "stats.json").read_text())["events"] > 0


def test_a_bad_scenario_exits_with_the_key_at_fault(tmp_path):
    scenario = write(tmp_path, "bad", {**TINY, "demand": {"orders_per_dya": 5}})
    result = runner.invoke(app, ["simulate", str(scenario)])
    assert result.exit_code == 2
    assert "demand.orders_per_dya" in result.output and "orders_per_day" in result.output


def test_replications_report_confidence_intervals(tmp_path):
    scenario = write(tmp_path, "tiny", TINY)
    result = runner.invoke(app, ["simulate", str(scenario), "-n", "2", "--workers", "1", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert "95% CI" in result.output and "24-hour share: ±" in result.output
    ci = pd.read_csv(tmp_path / "r/kpis_ci95.csv").set_index("kpi")
    assert ci.loc["within_24h_pct", "n"] == 2


def test_compare_runs_two_scenarios_on_the_same_demand(tmp_path):
    a = write(tmp_path, "a", {**TINY, "name": "none", "network": {**TINY["network"], "ship_from_store": {"mode": "none"}}})
    b = write(tmp_path, "b", {**TINY, "name": "all", "network": {**TINY["network"], "ship_from_store": {"mode": "all"}}})
    result = runner.invoke(app, ["compare", str(a), str(b), "--workers", "1", "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    assert "Δ all" in result.output
    table = pd.read_csv(tmp_path / "cmp/comparison.csv").set_index("kpi")
    assert table.loc["orders", "delta all"] == 0


def test_a_cluster_that_cannot_be_used_exits_with_one_line_naming_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # the extra `ray` not installed
    scenario = write(tmp_path, "tiny", TINY)
    result = runner.invoke(app, ["simulate", str(scenario), "-n", "2", "--cluster", "ray://127.0.0.1:10001"])
    assert result.exit_code == 2
    assert "extra `ray`" in result.output and "Traceback" not in result.output
