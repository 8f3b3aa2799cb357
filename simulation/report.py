"""What a planner sees: a summary table in the terminal, and a run folder with the KPIs as CSV and
Parquet, the raw records, PNG charts and the resolved scenario (so the run can be repeated)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml
from rich.console import Console
from rich.table import Table

from scenarios.schema import Scenario
from simulation import kpis
from simulation.records import RunRecords

REGION_EN = {"华北": "North", "东北": "Northeast", "华东": "East", "华中": "Central", "华南": "South",
             "西南": "Southwest", "西北": "Northwest"}
HEADLINE = (("within_24h_pct", "delivered within 24 h of payment", "{:.1f} %"),
            ("delivery_p50_h", "delivery time p50", "{:.1f} h"), ("delivery_p90_h", "delivery time p90", "{:.1f} h"),
            ("delivery_p99_h", "delivery time p99", "{:.1f} h"), ("split_parcel_pct", "split-parcel orders", "{:.2f} %"),
            ("cost_per_order_yuan", "cost per delivered order", "¥{:.2f}"), ("orders", "orders", "{:,.0f}"),
            ("delivered", "delivered", "{:,.0f}"), ("cancelled", "cancelled", "{:,.0f}"),
            ("unfulfilled", "unfulfilled", "{:,.0f}"), ("rejected_lines", "lines rejected by nodes", "{:,.0f}"),
            ("reallocations", "re-allocated shipments", "{:,.0f}"),
            ("utilisation_store_pct", "picker utilisation, stores", "{:.1f} %"),
            ("utilisation_rdc_pct", "picker utilisation, RDCs", "{:.1f} %"),
            ("utilisation_cloud_pct", "picker utilisation, cloud", "{:.1f} %"))


def print_report(console: Console, scenario: Scenario, records: RunRecords) -> None:
    summary = kpis.summary(records)
    console.print(f"[bold]{scenario.name}[/bold] — seed {records.seed}" + (f": {scenario.question}" if scenario.question else ""))
    console.print(headline_table(summary, title="24-hour report"))
    for group in kpis.GROUPS:
        console.print(_frame_table(kpis.by_group(records, group), f"by {group.replace('_', ' ')}"))
    gaps = kpis.unfulfilled(records)
    if len(gaps):
        console.print(_frame_table(gaps, "not delivered, and why"))
    stats = records.stats
    console.print(f"engine: {stats['events']:,} events in {stats['run_s']:.1f} s ({stats['events_per_s']:,.0f}/s); "
                  f"allocation {stats['allocation_s']:.1f} s (solver {stats['solver_s']:.1f} s), OMS node actions "
                  f"{stats['node_actions_s']:.1f} s, intake {stats['intake_s']:.1f} s, simulation "
                  f"{stats['simulation_s']:.1f} s; wall {stats['wall_s']:.1f} s")


def headline_table(summary: dict, title: str, ci: dict | None = None) -> Table:
    table = Table(title=title)
    table.add_column("KPI")
    table.add_column("value", justify="right")
    if ci is not None:
        table.add_column("95% CI ±", justify="right")
    for key, label, fmt in HEADLINE:
        if key in summary:
            row = [label, _fmt(fmt, summary[key])]
            if ci is not None:
                row.append(_fmt(fmt, ci.get(key, float("nan"))).replace("¥", ""))
            table.add_row(*row)
    return table


def _fmt(fmt: str, value) -> str:
    return "-" if value is None or value != value else fmt.format(value)


def _frame_table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="left" if frame[column].dtype == object else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)
                        for v in row))
    return table


def write_run(out: Path, scenario: Scenario, records: RunRecords) -> list[Path]:
    """The run folder: kpis/*.csv|parquet, records/*, charts/*.png, scenario.resolved.yaml, stats.json."""
    out.mkdir(parents=True, exist_ok=True)
    written = [write_scenario(out / "scenario.resolved.yaml", scenario, records.seed)]
    for name, frame in kpis.tables(records).items():
        written += write_frame(out / "kpis" / name, frame)
    for name in ("orders", "shipments"):
        written += write_frame(out / "records" / name, records.frame(name), csv=False)
    (out / "stats.json").write_text(json.dumps(records.stats, indent=2, default=str), encoding="utf-8")
    written.append(out / "stats.json")
    written += write_charts(out / "charts", records)
    return written


def write_scenario(path: Path, scenario: Scenario, seed: int) -> Path:
    document = scenario.model_dump(mode="json")
    document["seed"] = seed
    document["replications"] = 1
    header = f"# resolved scenario: rerun with `oms simulate {path.name}` for identical results\n"
    path.write_text(header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_frame(stem: Path, frame: pd.DataFrame, csv: bool = True) -> list[Path]:
    """CSV (for people) and Parquet (for pandas); Parquet needs pyarrow — without it, CSV only."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    if csv:
        frame.to_csv(stem.with_suffix(".csv"), index=False)
        written.append(stem.with_suffix(".csv"))
    try:
        frame.to_parquet(stem.with_suffix(".parquet"), index=False)
        written.append(stem.with_suffix(".parquet"))
    except ImportError:
        if not csv:
            frame.to_csv(stem.with_suffix(".csv.gz"), index=False)
            written.append(stem.with_suffix(".csv.gz"))
    return written


def write_charts(folder: Path, records: RunRecords) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "delivery_time_cdf.png", folder / "backlog_by_node_kind.png", folder / "within_24h_by_region.png"]
    _cdf_chart(Figure(figsize=(8, 5)), kpis.delivery_cdf(records)).savefig(paths[0], dpi=100)
    _backlog_chart(Figure(figsize=(9, 5)), kpis.backlog(records)).savefig(paths[1], dpi=100)
    _region_chart(Figure(figsize=(8, 5)), kpis.by_group(records, "region")).savefig(paths[2], dpi=100)
    return paths


def _cdf_chart(figure, cdf: pd.DataFrame):
    ax = figure.subplots()
    ax.step(cdf.hours, cdf.share * 100, where="post", label="orders delivered")
    ax.axvline(24, color="red", linestyle="--", label="24 h promise")
    within = float(cdf.share[cdf.hours <= 24].max() * 100) if (cdf.hours <= 24).any() else 0.0
    ax.annotate(f"{within:.1f} % within 24 h", (24, within), xytext=(30, max(within - 15, 5)),
                arrowprops={"arrowstyle": "->"})
    ax.set(xlabel="hours from payment to the last parcel", ylabel="% of orders (cancelled excluded)",
           title="Delivery time", xlim=(0, min(float(cdf.hours.max()) if len(cdf) else 96, 120)), ylim=(0, 100))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return figure


def _backlog_chart(figure, backlog: pd.DataFrame):
    ax = figure.subplots()
    for kind, group in backlog[backlog.node_kind != "oms"].groupby("node_kind"):
        ax.plot(group.at_h, group.backlog, label=f"{kind}: waiting + picking + awaiting courier")
    oms = backlog[backlog.node_kind == "oms"]
    ax.plot(oms.at_h, oms.waiting, linestyle=":", color="grey", label="orders not yet allocated")
    ax.set(xlabel="hours from the start of the run", ylabel="shipments", title="Backlog by node kind (hourly)")
    ax.grid(alpha=0.3)
    ax.legend()
    return figure


def _region_chart(figure, by_region: pd.DataFrame):
    ax = figure.subplots()
    labels = [REGION_EN.get(r, r or "unknown") for r in by_region.region]
    bars = ax.bar(labels, by_region.within_24h_pct)
    ax.bar_label(bars, fmt="%.1f%%")
    ax.set(ylabel="% delivered within 24 h", title="Share within 24 h by region", ylim=(0, 100))
    return figure
