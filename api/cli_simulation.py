"""`oms simulate` and `oms compare`: planners' what-if runs of the fulfilment simulator.

    oms simulate scenarios/baseline.yaml --out runs/baseline
    oms simulate baseline --replications 10             # 95% confidence intervals, in parallel
    oms simulate baseline --replications 20 --cluster tcp://10.0.0.5:8786   # on a Dask cluster
    oms compare scenarios/baseline.yaml scenarios/rdc_outage.yaml --replications 5
    oms compare scenarios/ship_from_store_rollout.yaml   # its policies, on the same demand
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scenarios.loader import ScenarioError, load_scenario
from scenarios.schema import Scenario

simulation_app = typer.Typer(help="Fulfilment simulation of planner scenarios.")

OutOpt = Annotated[Optional[Path], typer.Option("--out", help="run folder (default runs/<scenario name>)")]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", help="seed of the first replication (default: the scenario's)")]
RepsOpt = Annotated[Optional[int], typer.Option("--replications", "-n", min=1, help="independent replications")]
WorkersOpt = Annotated[Optional[int], typer.Option("--workers", min=1, help="local worker processes")]
ClusterOpt = Annotated[Optional[str], typer.Option(
    "--cluster", help="run replications on a Dask (tcp://host:8786) or Ray (ray://host:10001) cluster")]


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=max(console.width, 140))


@contextmanager
def _cluster_errors():
    """A cluster that cannot be used (`--cluster`) is a one-line error and exit code 2, not a traceback."""
    from simulation.replications import ClusterError

    try:
        yield
    except ClusterError as exc:
        Console(stderr=True).print(f"[red]cluster[/red] {escape(str(exc))}", markup=True, highlight=False)
        raise typer.Exit(code=2) from None


def _load(path: str, console: Console) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        Console(stderr=True).print(f"[red]invalid scenario[/red] {exc.message}", markup=True, highlight=False)
        raise typer.Exit(code=2) from None


@simulation_app.command()
def simulate(scenario: Annotated[str, typer.Argument(help="scenario file, or a name in scenarios/")],
             out: OutOpt = None, seed: SeedOpt = None, replications: RepsOpt = None, workers: WorkersOpt = None,
             cluster: ClusterOpt = None) -> None:
    """Run a scenario: progress bar, 24-hour report, and a run folder of KPIs, charts and the resolved scenario."""
    console = _console()
    spec = _load(scenario, console)
    if spec.variants:
        console.print(f"{spec.name} has {len(spec.variants)} policies: comparing them on the same demand")
        _compare([spec], console, replications or spec.replications, seed, workers, cluster,
                 out or Path("runs") / spec.name)
        return
    n = replications or spec.replications
    folder = out or Path("runs") / spec.name
    if n == 1 and cluster is None:
        _single(spec, console, spec.seed if seed is None else seed, folder)
    else:
        _replicated(spec, console, n, seed, workers, cluster, folder)


def _single(spec: Scenario, console: Console, seed: int, folder: Path) -> None:
    from simulation.engine import Simulation
    from simulation.report import print_report, write_run

    with _progress(console) as progress:
        task = progress.add_task(f"simulating {spec.name} (seed {seed})", total=1.0)
        records = Simulation(spec, seed).run(progress=lambda share: progress.update(task, completed=share))
    print_report(console, spec, records)
    written = write_run(folder, spec, records)
    console.print(f"wrote {len(written)} files to {folder}/ (kpis/, records/, charts/, scenario.resolved.yaml)")


def _replicated(spec: Scenario, console: Console, n: int, seed: int | None, workers: int | None,
                cluster: str | None, folder: Path) -> None:
    from simulation.replications import replications
    from simulation.report import headline_table, write_frame, write_scenario

    if seed is not None:
        spec = spec.model_copy(update={"seed": seed})
    with _cluster_errors(), _progress(console) as progress:
        task = progress.add_task(f"{n} replications of {spec.name}", total=n)
        result = replications(spec, n, workers=workers, cluster=cluster,
                              done=lambda _: progress.advance(task))
    estimates = result.estimates()
    console.print(headline_table({k: e.mean for k, e in estimates.items()}, title=f"{spec.name}: mean of {n} replications",
                                 ci={k: e.half_width for k, e in estimates.items()}))
    hw = estimates["within_24h_pct"].half_width
    needed = result.replications_needed()
    if hw == hw:
        verdict = "reached" if hw <= 0.5 else f"not reached: about {needed} replications would be needed"
        console.print(f"24-hour share: ±{hw:.2f} percentage points (target ±0.5: {verdict})")
    folder.mkdir(parents=True, exist_ok=True)
    write_scenario(folder / "scenario.resolved.yaml", spec, spec.seed)
    runs = pd.DataFrame([{"seed": s, **summary} for s, summary in zip(result.seeds, result.summaries)])
    ci = pd.DataFrame([{"kpi": k, "mean": e.mean, "ci95_half_width": e.half_width, "sd": e.sd, "n": e.n}
                       for k, e in estimates.items()])
    written = write_frame(folder / "replications", runs) + write_frame(folder / "kpis_ci95", ci)
    console.print(f"wrote {len(written) + 1} files to {folder}/")


@simulation_app.command()
def compare(scenarios: Annotated[list[str], typer.Argument(help="two or more scenario files, or one with policies")],
            replications: RepsOpt = None, seed: SeedOpt = None, workers: WorkersOpt = None,
            cluster: ClusterOpt = None, out: OutOpt = None) -> None:
    """Run scenarios (or one scenario's policies) on the same demand and print the differences."""
    console = _console()
    specs = [_load(s, console) for s in scenarios]
    _compare(specs, console, replications or max(s.replications for s in specs), seed, workers, cluster, out)


def _compare(specs: list[Scenario], console: Console, n: int, seed: int | None, workers: int | None,
             cluster: str | None, out: Path | None) -> None:
    from simulation.compare import compare as run_compare, policies_of
    from simulation.report import HEADLINE, write_frame

    policies = [p for s in specs for p in policies_of(s)]
    if len(policies) < 2:
        Console(stderr=True).print("compare needs two scenarios, or a scenario with at least two variants")
        raise typer.Exit(code=2)
    with _cluster_errors(), _progress(console) as progress:
        task = progress.add_task(f"{len(policies)} policies × {n} replications, same demand", total=len(policies) * n)
        result = run_compare(policies, n, seed=seed, workers=workers, cluster=cluster,
                             done=lambda _: progress.advance(task))
    table = Table(title=f"same demand, {n} replication(s) each; differences against {result.names[0]}")
    table.add_column("KPI")
    for name in result.names:
        table.add_column(name, justify="right")
    for name in result.names[1:]:
        table.add_column(f"Δ {name.rsplit('/', 1)[-1]}", justify="right")
    rows = []
    for key, label, fmt in HEADLINE:
        means = [r.estimates()[key] for r in result.runs]
        deltas = [result.difference(key, i) for i in range(1, len(result.runs))]
        table.add_row(label, *(_fmt(fmt, m.mean) for m in means),
                      *(_fmt_delta(fmt, d.mean, d.half_width) for d in deltas))
        rows.append({"kpi": key, **{f"{nm}": m.mean for nm, m in zip(result.names, means)},
                     **{f"delta {nm}": d.mean for nm, d in zip(result.names[1:], deltas)},
                     **{f"delta {nm} ci95": d.half_width for nm, d in zip(result.names[1:], deltas)}})
    console.print(table)
    if out is not None:
        written = write_frame(out / "comparison", pd.DataFrame(rows))
        console.print(f"wrote {', '.join(str(p) for p in written)}")


def _fmt(fmt: str, value: float) -> str:
    return "-" if value != value else fmt.format(value)


def _fmt_delta(fmt: str, value: float, half_width: float) -> str:
    if value != value:
        return "-"
    text = fmt.replace("{:", "{:+").format(value).replace("¥+", "+¥").replace("¥-", "-¥").replace(" %", " pp")
    return text + (f" ± {abs(half_width):.2f}" if half_width == half_width else "")


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeElapsedColumn(), console=console, disable=not console.is_terminal)
