"""Channel integrations posting orders over real HTTP to a real server and database."""
from __future__ import annotations

import threading

import httpx
import pytest

from oms.channels import CHANNELS
from oms.channels.samples import sample_payload
from tests.e2e.conftest import PAID_AT, WUHAN, key

LINES = [("S0001-BLK-M", 1, 59900), ("S0002-WHT-L", 2, 19900)]


def payload(channel, order_id="C1001", lines=LINES, **kw):
    extra = {"store_id": "ST0001", "guide_id": "G001"} if channel == "guide" else {}
    return sample_payload(channel, order_id, lines, WUHAN, PAID_AT, **extra, **kw)


@pytest.mark.parametrize("channel", CHANNELS)
def test_each_channel_posts_its_own_shape_and_gets_the_canonical_order(api, channel):
    answer = api.post(f"/channels/{channel}/orders", json=payload(channel), headers=key(channel))
    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert (order["channel"], order["channel_order_id"], order["status"]) == (channel, "C1001", "received")
    assert [(ln["sku"], ln["quantity"], ln["paid_fen"]) for ln in order["lines"]] == [
        ("S0001-BLK-M", 1, 59900), ("S0002-WHT-L", 2, 39800)]
    assert order["total_paid_yuan"] == "997.00"
    assert order["address"]["city"].startswith("武汉")
    assert order["paid_at"] == "2026-11-11T00:01:02+08:00"  # shown in China Standard Time
    assert order["audit"][0]["to_status"] == "received"
    fetched = api.get(f"/orders/{order['id']}")
    assert fetched.status_code == 200 and fetched.json() == order


@pytest.mark.parametrize("shape", ["youzan", "wechat_shop"])
def test_the_mall_also_accepts_its_hosting_platforms_payloads(api, shape):
    answer = api.post("/channels/mall/orders", json=payload("mall", f"Y-{shape}", mall_shape=shape),
                      headers=key("mall"))
    assert answer.status_code == 201, answer.text


def test_a_resent_order_returns_200_and_the_same_order(api):
    first = api.post("/channels/tmall/orders", json=payload("tmall"), headers=key("tmall"))
    again = api.post("/channels/tmall/orders", json=payload("tmall"), headers=key("tmall"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert api.get("/orders").json()["count"] == 1


def test_the_same_id_with_other_content_is_409_naming_what_differs(api):
    api.post("/channels/jd/orders", json=payload("jd"), headers=key("jd"))
    changed = api.post("/channels/jd/orders", json=payload("jd", lines=[("S0001-BLK-M", 3, 59900)]),
                       headers=key("jd"))
    assert changed.status_code == 409
    assert changed.json()["error"] == "duplicate_order_conflict" and "lines" in changed.json()["detail"]


def test_concurrent_duplicates_over_http_create_exactly_one_order(api, live_server):
    statuses, barrier = [], threading.Barrier(10)

    def send():
        with httpx.Client(base_url=live_server.url, timeout=30) as client:
            barrier.wait()
            statuses.append(client.post("/channels/douyin/orders", json=payload("douyin", "RACE"),
                                        headers=key("douyin")).status_code)

    threads = [threading.Thread(target=send) for _ in range(10)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(statuses) == [200] * 9 + [201]
    assert api.get("/orders", params={"channel": "douyin"}).json()["count"] == 1


def test_an_unknown_sku_is_422_naming_the_payload_field_and_nothing_is_written(api):
    answer = api.post("/channels/tmall/orders", json=payload("tmall", lines=[("S0001-BLK-M", 1, 100), ("NOPE", 1, 100)]),
                      headers=key("tmall"))
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "unknown_sku" and body["field"].endswith("order[1].outer_sku_id")
    assert api.get("/orders").json()["count"] == 0


@pytest.mark.parametrize("mutate, status, field_end", [
    (lambda p: p["lines"][0].update(quantity=0), 422, "lines.0.quantity"),
    (lambda p: p["lines"][0].update(quantity="2"), 422, "lines.0.quantity"),
    (lambda p: p.pop("address"), 422, "address"),
    (lambda p: p["lines"][0].update(unit_price=199.0), 422, "lines.0.unit_price"),
    (lambda p: p.update(lines=[]), 422, "lines"),
])
def test_bad_canonical_payloads_are_4xx_naming_the_field(api, mutate, status, field_end):
    body = payload("mall", "BAD")
    mutate(body)
    answer = api.post("/channels/mall/orders", json=body, headers=key("mall"))
    assert answer.status_code == status, answer.text
    assert answer.json()["field"].replace("[", ".").replace("]", "").endswith(field_end)
    assert api.get("/orders").json()["count"] == 0


def test_malformed_json_is_400(api):
    answer = api.post("/channels/mall/orders", content=b'{"order_id": "X",', headers=key("mall"))
    assert answer.status_code == 400 and answer.json()["field"] == "body"


def test_a_body_that_is_not_an_object_is_422(api):
    answer = api.post("/channels/mall/orders", json=[1, 2], headers=key("mall"))
    assert answer.status_code == 422


def test_an_oversized_body_is_413(api):
    answer = api.post("/channels/mall/orders", content=b"{" + b" " * 2_000_000 + b"}", headers=key("mall"))
    assert answer.status_code == 413 and answer.json()["error"] == "payload_too_large"


def test_an_unknown_channel_is_404(api):
    answer = api.post("/channels/kuaishou/orders", json={}, headers=key("mall"))
    assert answer.status_code == 404 and answer.json()["field"] == "channel"


def test_a_missing_key_is_401_and_another_channels_key_is_403(api):
    assert api.post("/channels/tmall/orders", json=payload("tmall")).status_code == 401
    assert api.post("/channels/tmall/orders", json=payload("tmall"), headers={"X-Api-Key": "nope"}).status_code == 401
    forbidden = api.post("/channels/tmall/orders", json=payload("tmall"), headers=key("jd"))
    assert forbidden.status_code == 403 and "jd" in forbidden.json()["detail"]
    assert api.get("/orders").json()["count"] == 0


def test_orders_are_listed_by_channel_status_and_time_with_pages(api):
    for i in range(3):
        api.post("/channels/vip/orders", json=payload("vip", f"V{i}"), headers=key("vip"))
    api.post("/channels/jd/orders", json=payload("jd", "J1"), headers=key("jd"))
    page = api.get("/orders", params={"channel": "vip", "limit": 2}).json()
    assert page["count"] == 3 and len(page["data"]) == 2
    window = api.get("/orders", params={"paid_from": "2026-11-11T00:00:00+08:00", "paid_to": "2026-11-11T00:02:00+08:00"})
    assert window.json()["count"] == 4
    assert api.get("/orders", params={"paid_from": "2026-11-11T00:00:00"}).status_code == 422
    assert api.get("/orders", params={"status": "nonsense"}).status_code == 422


def test_cancel_before_shipment_is_audited_and_unknown_order_is_404(api):
    order = api.post("/channels/mall/orders", json=payload("mall"), headers=key("mall")).json()
    cancelled = api.post(f"/orders/{order['id']}/cancel", json={"reason": "customer changed mind"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["audit"][-1]["reason"] == "customer changed mind"
    assert api.get("/orders/999999").status_code == 404
    assert api.post(f"/orders/{order['id']}/cancel", json={}).status_code == 422


def test_openapi_docs_are_served(api):
    assert api.get("/docs").status_code == 200
    assert "/channels/{channel}/orders" in api.get("/openapi.json").json()["paths"]
