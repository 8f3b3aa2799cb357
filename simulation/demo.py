"""`make demo`'s last step: a day of the baseline scenario and its 24-hour report."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console


def run_baseline_report(out: Path, console: Console | None = None) -> Path:
    """Run scenarios/baseline.yaml once, print its report and write its run folder under `out`."""
    from scenarios.loader import load_scenario
    from simulation.engine import Simulation
    from simulation.report import print_report, write_run

    console = console or Console()
    scenario = load_scenario("baseline")
    console.print(f"simulating {scenario.name}: {scenario.demand.orders_per_day:,} orders a day on "
                  f"{scenario.network.stores:,} stores …")
    records = Simulation(scenario).run()
    print_report(console, scenario, records)
    write_run(out, scenario, records)
    console.print(f"run folder: {out}/")
    return out
