"""`oms setup` and `oms allocate`: put a network, catalogue and stock in the database; run a wave."""
from __future__ import annotations

from datetime import datetime, timezone

import typer
from rich.console import Console
from rich.table import Table

from api.settings import get_settings

setup_app = typer.Typer()
console = Console()


@setup_app.command()
def setup(stores: int = typer.Option(50, help="stores in the generated network"),
          seed: int = typer.Option(7, help="seed of the generated network, catalogue and stock"),
          styles: int = typer.Option(120, help="styles in the generated catalogue"),
          network_file: str = typer.Option(None, help="load this network (and its stock) instead of generating")):
    """Create the schema and load a network, catalogue and opening stock into OMS_DATABASE_URL."""
    summary = load_reference_data(get_settings().database_url, stores=stores, seed=seed, styles=styles,
                                  network_file=network_file)
    console.print(f"[green]loaded[/green] {summary['nodes']} nodes, {summary['skus']} SKUs, "
                  f"{summary['stock_rows']} stock rows")


def load_reference_data(url: str, *, stores: int, seed: int, styles: int, network_file: str | None = None) -> dict:
    from oms.persistence.database import make_engine
    from oms.persistence.migrate import upgrade
    from oms.persistence.seed import load_catalogue, load_nodes, load_stock
    from scenarios.network_file import load_network_file, node_row
    from warehouses.catalogue import generate_catalogue
    from warehouses.generator import generate_network
    from warehouses.stock import generate_stock

    upgrade(url)
    catalogue = generate_catalogue(styles, seed)
    if network_file:
        loaded = load_network_file(network_file)
        network, stock = loaded.network, loaded.stock
    else:
        network, stock = generate_network(stores, seed), None
    stock = stock or generate_stock(network, catalogue, seed)
    engine = make_engine(url)
    try:
        nodes = load_nodes(engine, [_jsonable(node_row(n)) for n in network])
        skus = load_catalogue(engine, catalogue)
        rows = load_stock(engine, stock.to_stock_levels(network))
    finally:
        engine.dispose()
    return {"nodes": nodes, "skus": skus, "stock_rows": rows, "network": network, "catalogue": catalogue}


def _jsonable(row: dict) -> dict:
    return {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v)) for k, v in row.items()}


@setup_app.command()
def allocate(allocator: str = typer.Option("optimal", help="optimal, greedy or rdc_first"),
             limit: int = typer.Option(10_000, help="most orders in the wave"),
             time_limit: float = typer.Option(None, min=1.0, help="the optimal allocator's time limit in seconds "
                                              "(default 15); given 2 ms an order or more, big waves go on to the "
                                              "LP's own prices")):
    """Run one allocation wave over every open order in OMS_DATABASE_URL and print its report."""
    from api.context import AppContext, CatalogueCache
    from oms.persistence.database import make_engine

    if time_limit is not None and allocator != "optimal":
        raise typer.BadParameter("only the optimal allocator takes a time limit", param_hint="--time-limit")

    settings = get_settings()
    engine = make_engine(settings.database_url)
    ctx = AppContext(settings=settings, engine=engine, catalogue=CatalogueCache(engine))
    report = ctx.fulfilment().allocate(ctx.uow, ctx.catalogue.current(), engine=engine, allocator=allocator,
                                       limit=limit, now=datetime.now(timezone.utc), actor="cli",
                                       time_limit_s=time_limit)
    table = Table("measure", "value", title="allocation wave")
    for name, value in vars(report).items():
        table.add_row(name, str(value))
    console.print(table)


@setup_app.command()
def escalate():
    """Take shipments that stores left unaccepted or unpicked past their deadlines
    (OMS_ACCEPT_DEADLINE_MINUTES, OMS_PICK_DEADLINE_MINUTES) and re-allocate them; run it from cron."""
    from api.context import AppContext, CatalogueCache
    from oms.escalation import escalate_overdue
    from oms.persistence.database import make_engine

    settings = get_settings()
    engine = make_engine(settings.database_url)
    ctx = AppContext(settings=settings, engine=engine, catalogue=CatalogueCache(engine))
    report = escalate_overdue(ctx.uow(), datetime.now(timezone.utc), settings.accept_deadline_minutes,
                              settings.pick_deadline_minutes, ctx.planner, ctx.allocator)
    console.print(f"escalated {len(report.escalated)} shipment(s): {', '.join(report.escalated) or '-'}")
    if report.reallocation is not None:
        console.print(f"re-allocation: {report.reallocation}")
