"""Builders for simulator tests: small scenarios, a hand-made one-store network, replay files."""
from __future__ import annotations

from pathlib import Path

import yaml

from scenarios.loader import load_scenario, parse_scenario
from scenarios.schema import Scenario
from warehouses.catalogue import generate_catalogue

STYLES = 40
START = "2026-06-10T00:00:00+08:00"  # a Wednesday, China time


def small_scenario(**sections) -> Scenario:
    """10 stores, 40 styles, a few hundred orders: a whole day in well under a second."""
    document = {"name": "small", "network": {"stores": 10, "styles": STYLES, "seed": 7},
                "demand": {"orders_per_day": 400}, "run": {"start": START, "drain_hours": 96}}
    for key, value in sections.items():
        document[key] = {**document.get(key, {}), **value} if isinstance(value, dict) else value
    return parse_scenario(document)


def sku_codes(n: int = 2) -> list[str]:
    return list(generate_catalogue(STYLES, 42).skus)[:n]


def one_store_world(tmp_path: Path, *, pickers: int = 1, units: int = 20, cutoffs: str = "18:00",
                    hours: str = "10:00-22:00") -> tuple[Path, list[str]]:
    """A network file with a single store in Wuhan (ship-from-store, one courier pickup), and its stock."""
    skus = sku_codes()
    network = {
        "nodes": [{"node_id": "ST01", "name": "武汉洪山直营店", "kind": "store", "province": "湖北省", "city": "武汉市",
                   "district": "洪山区", "opening_hours": hours, "pickers": pickers, "pick_rate_units_per_hour": 60,
                   "daily_order_capacity": 500, "carrier_cutoffs": cutoffs, "ship_to_home": True,
                   "same_city_rider": False, "floor_area_m2": 300}],
        "stock": [{"node_id": "ST01", "sku_code": sku, "units": units} for sku in skus],
    }
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(network, allow_unicode=True), encoding="utf-8")
    return path, skus


def replay_file(tmp_path: Path, orders: list[tuple[str, str, str]], name: str = "orders.csv") -> Path:
    """A CSV export: (channel order id, paid at "HH:MM" on the start day or an ISO time, SKU) per order."""
    lines = ["channel,channel_order_id,paid_at,sku_code,quantity,province,city,district"]
    for order_id, paid, sku in orders:
        at = paid if "T" in paid else f"2026-06-10T{paid}:00+08:00"
        lines.append(f"tmall,{order_id},{at},{sku},1,湖北省,武汉市,武昌区")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hand_checkable_scenario(tmp_path: Path, orders: list[tuple[str, str, str]], *, pickers: int = 1,
                            minutes_per_order: float = 29.0, units: int = 20) -> Scenario:
    """One store, one picker, `units` of each SKU, orders replayed at given times, handling without
    randomness: released at once, `minutes_per_order` + one unit at 60 units/hour to pick and pack."""
    network, _ = one_store_world(tmp_path, pickers=pickers, units=units)
    replay = replay_file(tmp_path, orders)
    document = {
        "name": "hand_checkable",
        "run": {"start": START, "demand_hours": 48, "drain_hours": 96},
        "network": {"file": str(network), "styles": STYLES},
        "demand": {"replay": {"path": str(replay)}},
        "allocation": {"wave_minutes": 10, "learn_rejection_rates_hours": None},
        "fulfilment": {"handling": {"store": {"release_minutes": 0, "per_order_minutes": minutes_per_order,
                                              "pick_time_sigma": 1e-6, "rejection_probability": 0}},
                       "replenishment": {"enabled": False}, "cancellations": {"share_within_hour": 0}},
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return load_scenario(path)
