"""`oms demo`: the main flow end to end on a fresh SQLite database.

Loads a sample network, catalogue and stock; posts orders from every channel in
its own payload shape through the real HTTP app; runs an allocation wave; then
(where the simulator is installed) replays a day of the baseline scenario and
prints its 24-hour report.
"""
from __future__ import annotations

import random
import sys
import warnings
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

demo_app = typer.Typer()
console = Console(width=None if sys.stdout.isatty() else 140)
CST = ZoneInfo("Asia/Shanghai")
DEMO_KEYS = {ch: f"demo-{ch}-key" for ch in ("mall", "guide", "tmall", "jd", "vip", "douyin")}
ADDRESSES = [("湖北省", "武汉市", "洪山区", "珞喻路1037号"), ("北京", "北京市", "朝阳区", "建国路88号"),
             ("上海市", "上海市", "浦东新区", "世纪大道100号"), ("广东省", "广州市", "天河区", "天河路385号"),
             ("四川省", "成都市", "武侯区", "人民南路四段1号"), ("辽宁省", "沈阳市", "和平区", "中华路1号"),
             ("重庆市", "重庆市", "渝中区", "解放碑步行街8号")]
ORDERS = [("mall", "canonical"), ("mall", "youzan"), ("mall", "wechat_shop"), ("guide", "canonical"),
          ("tmall", None), ("jd", None), ("vip", None), ("douyin", None)]


@demo_app.command()
def demo(out: Path = typer.Option(Path("demo-output"), help="folder for the demo database and run output"),
         stores: int = typer.Option(50, help="stores in the demo network"),
         seed: int = typer.Option(7, help="seed of network, catalogue, stock and orders"),
         simulate: bool = typer.Option(True, help="also replay a baseline day and print its 24-hour report")):
    """Run the OMS end to end on sample data and print what happened."""
    from api.cli_setup import load_reference_data

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    url = f"sqlite:///{out / 'oms.db'}"
    console.rule("1. network, catalogue and stock")
    data = load_reference_data(url, stores=stores, seed=seed, styles=120)
    console.print(f"{data['nodes']} nodes, {data['skus']} SKUs, {data['stock_rows']} stock rows → {url}")
    with _client(url) as client:
        console.rule("2. channel intake (each channel's own payload shape, over HTTP)")
        placed = _post_orders(client, data["catalogue"], data["network"], seed)
        _print_orders("orders received", placed)
        console.rule("3. allocation wave (OR-Tools)")
        report = client.post("/allocation/run", json={}).json()
        console.print(f"{report['allocated']} allocated, {report['backordered']} back-ordered, "
                      f"{report['shipments']} shipments; solver {report['solver']} ({report['status']}), "
                      f"gap {report['gap_pct']}%, {report['wall_s'] * 1000:.0f} ms")
        _print_orders("orders after allocation", [client.get(f"/orders/{o['id']}").json() for o in placed])
    if simulate:
        _simulate(out)


def _client(url: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the test client's own deprecation notice is not the demo's business
        from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    return TestClient(create_app(Settings(database_url=url, channel_keys=DEMO_KEYS)))


def _post_orders(client, catalogue, network, seed: int) -> list[dict]:
    from oms.channels.samples import sample_payload

    rng = random.Random(seed)
    skus = sorted(catalogue.skus)
    paid = datetime.now(CST).replace(microsecond=0) - timedelta(minutes=30)
    store = network.stores[0].node_id
    placed, payloads = [], []
    for i, (channel, shape) in enumerate(ORDERS):
        lines = [(code, rng.choice((1, 1, 2)), catalogue.skus[code].price_fen) for code in rng.sample(skus, rng.choice((1, 2)))]
        extra = {"store_id": store, "guide_id": "G0001"} if channel == "guide" else {}
        if shape:
            extra["mall_shape"] = shape
        payload = sample_payload(channel, f"DEMO{i:04d}", lines, ADDRESSES[i % len(ADDRESSES)], paid, **extra)
        answer = client.post(f"/channels/{channel}/orders", json=payload, headers={"X-Api-Key": DEMO_KEYS[channel]})
        answer.raise_for_status()
        placed.append(answer.json())
        payloads.append(payload)
    headers = {"X-Api-Key": DEMO_KEYS["tmall"]}
    again = client.post("/channels/tmall/orders", headers=headers, json=payloads[4])
    console.print(f"tmall DEMO0004 sent again → HTTP {again.status_code}, the same order {again.json()['id']}; "
                  "nothing new stored")
    changed = payloads[4]["trade_fullinfo_get_response"]["trade"]
    changed["orders"]["order"][0]["num"] = changed["orders"]["order"][0]["num"] + 1
    conflict = client.post("/channels/tmall/orders", headers=headers, json=payloads[4])
    console.print(f"tmall DEMO0004 sent with another quantity → HTTP {conflict.status_code}: {conflict.json()['detail']}")
    bad = client.post("/channels/jd/orders", headers={"X-Api-Key": DEMO_KEYS["jd"]}, json={"orderId": 1})
    console.print(f"a malformed JD payload → HTTP {bad.status_code}, field {bad.json()['field']!r}: {bad.json()['detail']}")
    return placed


def _print_orders(title: str, orders: list[dict]) -> None:
    table = Table("id", "channel", "city", "lines", "paid ¥", "status", "node(s)", "mode", "cost ¥", "P(24 h)",
                  title=title)
    for o in orders:
        ships = o["shipments"]
        table.add_row(str(o["id"]), o["channel"], o["address"]["city"],
                      ", ".join(f"{ln['sku']}×{ln['quantity']}" for ln in o["lines"]), o["total_paid_yuan"],
                      o["status"], ", ".join(s["node_id"] for s in ships) or "-",
                      ", ".join(s["mode"] or "-" for s in ships) or "-",
                      ", ".join(f"{s['cost_fen'] / 100:.2f}" for s in ships) or "-",
                      ", ".join(f"{s['explanation'].get('p_within_promise', 0):.2f}" for s in ships) or "-")
    console.print(table)


def _simulate(out: Path) -> None:
    try:
        from simulation.demo import run_baseline_report
    except ModuleNotFoundError:
        console.print("[yellow]simulator not installed in this build: skipping the 24-hour report[/yellow]")
        return
    console.rule("4. fulfilment simulation: baseline day")
    run_baseline_report(out / "baseline")
