"""Bring your own network: load (and save) nodes and opening stock from CSV or YAML.

**Nodes CSV** — one row per node, header row required:

==========================  ========  ==============================================================
column                      required  meaning
==========================  ========  ==============================================================
node_id                     yes       unique id, e.g. ``ST0001``, ``RDC-WUHAN``
name                        yes       display name
kind                        yes       ``store``, ``rdc`` or ``cloud``
owner                       no        ``brand`` (default) or ``franchisee``
province, city              yes       as on an address: "湖北省"/"湖北", "武汉市"/"武汉"
district                    yes*      "洪山区"; *may be unknown to the dataset if lat/lon are given
lat, lon                    no        WGS-84; default the district centre
opening_hours               no        ``10:00-22:00``, ``07:00-15:00,15:00-23:00``, ``24h`` (default)
pickers                     yes       staff picking online orders at once (>= 1)
pick_rate_units_per_hour    yes       per picker (> 0)
daily_order_capacity        yes       orders per day (>= 0)
carrier_cutoffs             no        express pickup times ``12:00,18:00``; empty = no courier
ship_to_home                no        true/false (ship-from-store opt-in; default false)
same_city_rider             no        true/false (default false)
floor_area_m2               no        store sales floor (default 0)
region                      no        华北/东北/华东/华中/华南/西南/西北; default from the province
==========================  ========  ==============================================================

**Stock CSV** — ``node_id, sku_code, units`` (units >= 0; one row per pair).

**YAML** — ``nodes:`` (a list of rows as above) or ``nodes_csv: nodes.csv``, and
optionally ``stock:`` (a list of rows) or ``stock_csv: stock.csv``; CSV paths are
relative to the YAML file. See ``scenarios/sample_network/``.

The whole file is validated before anything is built; `NetworkFileError` lists
every bad row, each naming its line (or list index) and field.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from oms.exceptions import OmsError
from warehouses.geography import Geography, load_geography, resolve_address
from warehouses.nodes import Network, Node, NodeKind, Owner
from warehouses.opening_hours import ALL_DAY, Windows, format_time, format_windows, parse_time, parse_windows
from warehouses.population import nearest_index
from warehouses.stock import StockTable

NODE_COLUMNS = ("node_id", "name", "kind", "owner", "province", "city", "district", "lat", "lon", "opening_hours",
                "pickers", "pick_rate_units_per_hour", "daily_order_capacity", "carrier_cutoffs", "ship_to_home",
                "same_city_rider", "floor_area_m2", "region")
STOCK_COLUMNS = ("node_id", "sku_code", "units")
_MAX_REPORTED = 50


class NetworkFileError(OmsError):
    """A network or stock file that breaks the format; `errors` lists every problem found."""

    def __init__(self, errors: list[str], *, field: str | None = None):
        shown = errors[:_MAX_REPORTED] + ([f"… and {len(errors) - _MAX_REPORTED} more"] if len(errors) > _MAX_REPORTED else [])
        super().__init__("invalid network file:\n  " + "\n  ".join(shown), field=field)
        self.errors = errors


class NodeRow(BaseModel):
    """One row of a nodes file, validated."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    node_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: NodeKind
    owner: Owner = Owner.BRAND
    province: str = Field(min_length=1)
    city: str = ""
    district: str = ""
    lat: float | None = Field(default=None, ge=3.0, le=54.0)  # mainland China's extent
    lon: float | None = Field(default=None, ge=73.0, le=136.0)
    opening_hours: Windows = ALL_DAY
    pickers: int = Field(ge=1)
    pick_rate_units_per_hour: float = Field(gt=0)
    daily_order_capacity: int = Field(ge=0)
    carrier_cutoffs: tuple[time, ...] = ()
    ship_to_home: bool = False
    same_city_rider: bool = False
    floor_area_m2: int = Field(default=0, ge=0)
    region: str = ""

    @field_validator("lat", "lon", "floor_area_m2", "owner", "region", mode="before")
    @classmethod
    def _blank_is_default(cls, value, info):
        defaults = {"lat": None, "lon": None, "floor_area_m2": 0, "owner": Owner.BRAND, "region": ""}
        return defaults[info.field_name] if value is None or value == "" else value

    @field_validator("opening_hours", mode="before")
    @classmethod
    def _hours(cls, value):
        return ALL_DAY if value in (None, "") else parse_windows(str(value)) if isinstance(value, str) else value

    @field_validator("carrier_cutoffs", mode="before")
    @classmethod
    def _cutoffs(cls, value):
        if value in (None, ""):
            return ()
        parts = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else [value]
        return tuple(sorted(_time_of(p) for p in parts if str(p).strip()))


def _time_of(value) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML 1.1 reads an unquoted 18:00 as sexagesimal 1080 (minutes)
        return time(*divmod(value, 60))
    return parse_time(str(value))


class StockRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    node_id: str = Field(min_length=1)
    sku_code: str = Field(min_length=1)
    units: int = Field(ge=0)


@dataclass(frozen=True)
class NetworkFile:
    """What a network file describes: the network, and its opening stock if the file has one."""

    network: Network
    stock: StockTable | None


def load_network_file(path: str | Path, stock_path: str | Path | None = None,
                      geography: Geography | None = None) -> NetworkFile:
    """Load a nodes CSV (with an optional stock CSV) or a YAML network file."""
    path = Path(path)
    geo = geography or load_geography()
    if path.suffix.lower() in (".yaml", ".yml"):
        node_rows, stock_rows = _yaml_rows(path)
    elif path.suffix.lower() == ".csv":
        node_rows, stock_rows = _csv_rows(path), None
    else:
        raise NetworkFileError([f"{path.name}: expected a .csv, .yaml or .yml file"])
    if stock_path is not None:
        stock_rows = _csv_rows(Path(stock_path))
    network = Network(_nodes(node_rows, geo), geo)
    stock = _stock(stock_rows, network) if stock_rows is not None else None
    return NetworkFile(network, stock)


def save_network_file(path: str | Path, network: Network, stock: StockTable | None = None) -> list[Path]:
    """Write `network` as a nodes CSV or YAML; stock, if given, goes to ``<stem>.stock.csv`` beside it
    (referenced from the YAML). Returns the paths written."""
    path = Path(path)
    rows = [_node_row(n) for n in network.nodes]
    written = [path]
    stock_file = path.with_name(f"{path.stem}.stock.csv")
    if path.suffix.lower() in (".yaml", ".yml"):
        document = {"nodes": rows, **({"stock_csv": stock_file.name} if stock is not None else {})}
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        _write_csv(path, NODE_COLUMNS, rows)
    if stock is not None:
        _write_csv(stock_file, STOCK_COLUMNS, [dict(node_id=n, sku_code=s, units=q) for (n, s), q in stock.items()])
        written.append(stock_file)
    return written


def _node_row(n: Node) -> dict:
    row = {c: getattr(n, c) for c in NODE_COLUMNS}
    row.update(kind=n.kind.value, owner=n.owner.value, opening_hours=format_windows(n.opening_hours),
               carrier_cutoffs=",".join(format_time(t) for t in n.carrier_cutoffs))
    return row


def _write_csv(path: Path, columns, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _csv_rows(path: Path) -> list[tuple[str, dict]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:  # Excel writes a BOM
            return [(f"{path.name} line {i + 2}", row) for i, row in enumerate(csv.DictReader(f))]
    except FileNotFoundError:
        raise NetworkFileError([f"{path}: file not found"]) from None


def _yaml_rows(path: Path) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]] | None]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (FileNotFoundError, yaml.YAMLError) as e:
        raise NetworkFileError([f"{path.name}: {e}"]) from None
    if not isinstance(document, dict) or not ({"nodes", "nodes_csv"} & document.keys()):
        raise NetworkFileError([f"{path.name}: needs a 'nodes' list or a 'nodes_csv' path"], field="nodes")
    nodes = _csv_rows(path.parent / document["nodes_csv"]) if "nodes_csv" in document else \
        [(f"nodes[{i}]", row) for i, row in enumerate(document["nodes"] or [])]
    if "stock_csv" in document:
        return nodes, _csv_rows(path.parent / document["stock_csv"])
    if "stock" in document:
        return nodes, [(f"stock[{i}]", row) for i, row in enumerate(document["stock"] or [])]
    return nodes, None


def _nodes(rows: list[tuple[str, dict]], geo: Geography) -> list[Node]:
    errors, nodes, seen = [], [], {}
    for where, raw in rows:
        try:
            row = NodeRow.model_validate({k: v for k, v in raw.items() if k is not None})
            if row.node_id in seen:
                raise ValueError(f"node_id: {row.node_id!r} already used at {seen[row.node_id]}")
            seen[row.node_id] = where
            nodes.append(_node(row, geo))
        except ValidationError as e:
            errors += [f"{where}: {'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()]
        except OmsError as e:
            errors.append(f"{where}: {e.field}: {e.message}" if e.field else f"{where}: {e.message}")
        except ValueError as e:
            errors.append(f"{where}: {e}")
    if not rows:
        errors.append("the file lists no nodes")
    if errors:
        raise NetworkFileError(errors, field="nodes")
    return nodes


def _node(row: NodeRow, geo: Geography) -> Node:
    place = resolve_address(row.province, row.city, row.district, geography=geo, field_prefix="")
    adcode, district, lat, lon = place.adcode, place.district, place.lat, place.lon
    if place.fallback:
        if row.lat is None or row.lon is None:
            raise ValueError(f"district: {row.district!r} is not a district of {place.city}; "
                             "use one the dataset knows or give lat/lon")
        candidates = geo.districts_of(place.city_adcode)  # the district of the city nearest the coordinates
        nearest = candidates[int(nearest_index(np.array([row.lat]), np.array([row.lon]),
                                               np.array([d.lat for d in candidates]),
                                               np.array([d.lon for d in candidates]))[0])]
        adcode, district, lat, lon = nearest.adcode, nearest.name, nearest.lat, nearest.lon
    fields = row.model_dump(exclude={"province", "city", "district", "lat", "lon"})
    return Node(**fields, province=place.province, city=place.city, district=district, adcode=adcode,
                lat=row.lat if row.lat is not None else lat, lon=row.lon if row.lon is not None else lon)


def _stock(rows: list[tuple[str, dict]], network: Network) -> StockTable:
    errors, units, seen = [], {}, {}
    for where, raw in rows:
        try:
            row = StockRow.model_validate({k: v for k, v in raw.items() if k is not None})
        except ValidationError as e:
            errors += [f"{where}: {'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()]
            continue
        key = (row.node_id, row.sku_code)
        if row.node_id not in network:
            errors.append(f"{where}: node_id: {row.node_id!r} is not a node of the network")
        elif key in seen:
            errors.append(f"{where}: {row.sku_code} at {row.node_id} already given at {seen[key]}")
        else:
            seen[key], units[key] = where, row.units
    if errors:
        raise NetworkFileError(errors, field="stock")
    return StockTable(units)


node_row = _node_row  # one node as a network-file row (also what the `nodes` table keeps as its spec)


def network_from_rows(rows: list[dict], geography: Geography | None = None) -> Network:
    """A network from node rows as the file has them (e.g. the `nodes` table's specs)."""
    geo = geography or load_geography()
    return Network(_nodes([(f"nodes[{i}]", row) for i, row in enumerate(rows)], geo), geo)
