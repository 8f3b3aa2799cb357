"""`oms network …`: look at a fulfilment network — generated from a seed, or a network file.

    oms network show --stores 1000 --seed 42
    oms network show --file scenarios/sample_network/network.yaml
    oms network map --out network.png [--stores N --seed S | --file PATH]
"""
from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from scenarios.network_file import NetworkFileError, load_network_file
from warehouses.generator import generate_network
from warehouses.nodes import Network
from warehouses.opening_hours import ALL_DAY, format_time, format_windows
from warehouses.regions import REGIONS

network_app = typer.Typer(help="Inspect the fulfilment network (generated or from a network file).",
                          no_args_is_help=True)

StoresOpt = Annotated[int, typer.Option("--stores", min=0, help="Stores to generate.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the generated network.")]
CloudOpt = Annotated[int, typer.Option("--cloud-warehouses", min=0, help="Cloud warehouses to generate.")]
FileOpt = Annotated[Optional[Path], typer.Option(
    "--file", exists=True, dir_okay=False, help="A network file (nodes CSV or YAML) instead of generating.")]


def _network(stores: int, seed: int, cloud_warehouses: int, file: Path | None) -> tuple[Network, str]:
    if file is None:
        return generate_network(stores, seed, cloud_warehouses), f"generated network: {stores} stores, seed {seed}"
    try:
        return load_network_file(file).network, f"network file {file}"
    except NetworkFileError as e:
        Console(stderr=True).print(str(e), markup=False)
        raise typer.Exit(code=2) from None


@network_app.command()
def show(stores: StoresOpt = 1000, seed: SeedOpt = 42, cloud_warehouses: CloudOpt = 3, file: FileOpt = None) -> None:
    """Counts by kind and region, the RDCs by city, and capacity totals."""
    network, source = _network(stores, seed, cloud_warehouses, file)
    frame = network.to_frame()
    console = Console()
    if not console.is_terminal:  # piped or captured: do not squeeze the tables into 80 columns
        console = Console(width=max(console.width, 120))
    console.print(f"[bold]{source}[/bold] — {len(network)} nodes")
    console.print(_kind_table(frame))
    console.print(_region_table(frame))
    console.print(_rdc_table(network))
    console.print(f"Total pick capacity: {frame.pick_capacity_units_per_hour.sum():,.0f} units/hour; "
                  f"daily order capacity: {frame.daily_order_capacity.sum():,} orders")
    console.print("RDCs: " + ", ".join(f"{n.city} ({n.node_id})" for n in network.rdcs))


def _kind_table(frame: pd.DataFrame) -> Table:
    table = Table(title="Nodes by kind")
    for column in ("kind", "nodes", "brand", "franchise", "ship", "rider", "pickers", "units/h", "orders/d"):
        table.add_column(column, justify="left" if column == "kind" else "right", no_wrap=True)
    for kind, group in frame.groupby("kind", sort=False):
        table.add_row(kind, str(len(group)), str((group.owner == "brand").sum()),
                      str((group.owner == "franchisee").sum()), str(group.ship_to_home.sum()),
                      str(group.same_city_rider.sum()), f"{group.pickers.sum():,}",
                      f"{group.pick_capacity_units_per_hour.sum():,.0f}", f"{group.daily_order_capacity.sum():,}")
    return table


def _region_table(frame: pd.DataFrame) -> Table:
    counts = pd.crosstab(frame.region, frame.kind).reindex(index=list(REGIONS), fill_value=0)
    table = Table(title="Nodes by region")
    table.add_column("region")
    for kind in ("store", "rdc", "cloud"):
        table.add_column(kind, justify="right")
    for region, row in counts.iterrows():
        table.add_row(region, *(str(row.get(kind, 0)) for kind in ("store", "rdc", "cloud")))
    return table


def _rdc_table(network: Network) -> Table:
    table = Table(title="RDCs")
    for column in ("node", "location", "hours", "pickers", "units/h", "orders/d", "pickups"):
        table.add_column(column, no_wrap=column != "pickups", justify="right" if column in (
            "pickers", "units/h", "orders/d") else "left")
    for n in network.rdcs:
        table.add_row(n.node_id, f"{n.city}{n.district}", _hours_text(n), str(n.pickers),
                      f"{n.pick_capacity_units_per_hour:,.0f}", f"{n.daily_order_capacity:,}",
                      " ".join(format_time(t) for t in n.carrier_cutoffs))
    return table


def _hours_text(node) -> str:
    """"24h", "07:00-23:00 (2 shifts)" for back-to-back windows, else the windows."""
    windows = node.opening_hours
    if windows == ALL_DAY:
        return "24h"
    if len(windows) > 1 and all(a[1] == b[0] for a, b in zip(windows, windows[1:])):
        return f"{format_time(windows[0][0])}-{format_time(windows[-1][1])} ({len(windows)} shifts)"
    return format_windows(windows)


@network_app.command("map")
def map_(out: Annotated[Path, typer.Option("--out", dir_okay=False, help="PNG (or .svg/.pdf/.html) to write.")],
         stores: StoresOpt = 1000, seed: SeedOpt = 42, cloud_warehouses: CloudOpt = 3, file: FileOpt = None) -> None:
    """Write a map of the nodes by kind over China's districts."""
    network, source = _network(stores, seed, cloud_warehouses, file)
    png = _render_png(network, source)
    if out.suffix.lower() in (".html", ".htm"):
        encoded = base64.b64encode(png).decode()
        out.write_text(f"<!doctype html><meta charset='utf-8'><title>{source}</title>"
                       f"<h1>{source}</h1><img alt='network map' src='data:image/png;base64,{encoded}'>",
                       encoding="utf-8")
    elif out.suffix.lower() == ".png":
        out.write_bytes(png)
    else:
        _figure(network, source).savefig(out)
    Console().print(f"wrote {out} ({len(network)} nodes)")


def _render_png(network: Network, source: str) -> bytes:
    buffer = io.BytesIO()
    _figure(network, source).savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _figure(network: Network, source: str):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 8))
    ax = figure.subplots()
    if network.geography is not None:  # the districts draw the outline of the country
        ax.scatter(network.geography.district_lon, network.geography.district_lat, s=1, c="#d0d0d0",
                   label="districts")
    frame = network.to_frame()
    stores = frame[frame.kind == "store"]
    for owner, colour in (("brand", "#1f77b4"), ("franchisee", "#ff7f0e")):
        group = stores[stores.owner == owner]
        ax.scatter(group.lon, group.lat, s=6 + group.floor_area_m2 / 40, c=colour, alpha=0.6,
                   label=f"store ({owner}, {len(group)})")
    for kind, marker, colour in (("rdc", "*", "#d62728"), ("cloud", "s", "#2ca02c")):
        group = frame[frame.kind == kind]
        ax.scatter(group.lon, group.lat, s=220 if kind == "rdc" else 90, marker=marker, c=colour,
                   edgecolors="black", label=f"{kind} ({len(group)})", zorder=3)
        for row in group.itertuples():
            ax.annotate(row.node_id, (row.lon, row.lat), xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.set_aspect(1.25)  # ~1/cos(37°): degrees of longitude are shorter at China's latitudes
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(source)
    ax.legend(loc="lower left", fontsize=8)
    return figure
