"""The idempotency digest must not change when its computation gets faster: keys stored by an
earlier version are compared with keys computed now (a POS retry after an upgrade)."""
import dataclasses
import hashlib
import json
from datetime import datetime, timezone

import pytest

from oms.idempotency import key_for
from oms.pick_pack import Scan
from oms.plain_data import plain
from oms.pos import AcceptShipment, HandOverShipment, PackShipment, PickShipment, ShipmentRef
from oms.rejecting import RejectShipment
from oms.returns import ReceiveReturn
from oms.sales import RecordSale, SaleLine

REF = ShipmentRef("S0001", 12, 1)
COMMANDS = [
    AcceptShipment(REF, "r-1", actor="clerk"),
    PickShipment(REF, "r-2", scans=(Scan("SKU-1", 2, 1), Scan("SKU-2", 1, 2))),
    PackShipment(REF, "r-3", parcel_count=1, weight_g=850),
    HandOverShipment(REF, "r-4", by="courier", carrier="SF", tracking_no="SF1234"),
    RejectShipment(REF, "r-5", reason="out_of_stock", lines=((1, None), (2, 1))),
    RejectShipment(REF, "r-6", reason="damaged"),
    RecordSale("S0001", "R-1001", lines=(SaleLine("SKU-1", 1),)),
    ReceiveReturn("R0001", 12, 1, "r-7", conditions=((1, "damaged"),)),
]


def _digest_with_asdict(cmd) -> str:
    content = {k: v for k, v in dataclasses.asdict(cmd).items() if k not in ("request_id", "actor")}
    raw = json.dumps([type(cmd).__name__, content], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: type(c).__name__)
def test_digest_is_the_one_asdict_gives(cmd):
    key = key_for(cmd, node_id="S0001", request_id="x", ref="12-1", at=datetime(2026, 11, 25, tzinfo=timezone.utc))
    assert key.digest == _digest_with_asdict(cmd)


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: type(c).__name__)
def test_plain_equals_asdict_as_json(cmd):
    assert json.dumps(plain(cmd), default=str) == json.dumps(dataclasses.asdict(cmd), default=str)


def test_plain_copies_nothing_mutable_it_returns():
    scans = [Scan("SKU-1", 2, 1)]
    out = plain({"scans": scans})
    out["scans"].append("x")
    assert scans == [Scan("SKU-1", 2, 1)]
