"""The `oms` command line: database, server, network, allocation and simulation."""
from __future__ import annotations

import typer
from rich.console import Console

from api.settings import get_settings

app = typer.Typer(help="Omnichannel OMS and fulfilment simulator.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="target Alembic revision")):
    """Create or upgrade the schema of the database at OMS_DATABASE_URL."""
    from oms.persistence.migrate import upgrade

    url = get_settings().database_url
    upgrade(url, revision)
    console.print(f"[green]schema at {revision}[/green] on {_safe(url)}")


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="interface to listen on"),
          port: int = typer.Option(8000, help="TCP port"),
          workers: int = typer.Option(1, help="uvicorn worker processes"),
          migrate: bool = typer.Option(True, help="upgrade the schema before serving")):
    """Start the HTTP API (uvicorn) on the database at OMS_DATABASE_URL."""
    import uvicorn

    if migrate:
        from oms.persistence.migrate import upgrade
        upgrade(get_settings().database_url)
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def _mount_optional() -> None:
    """Sub-commands that live beside their own package."""
    import importlib

    for module, attr, name in (("api.cli_network", "network_app", "network"),
                               ("api.cli_setup", "setup_app", None),
                               ("api.cli_demo", "demo_app", None),
                               ("api.cli_simulation", "simulation_app", None)):
        try:
            sub = getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        if name is None:
            app.registered_commands.extend(sub.registered_commands)
        else:
            app.add_typer(sub, name=name)


_mount_optional()

if __name__ == "__main__":
    app()
