"""Sustained intake throughput and latency over real HTTP.

Starts `oms serve` on one core (uvicorn, one worker) over a fresh database and
drives it from the other core with a lean keep-alive HTTP/1.1 load generator
posting a realistic channel mix (each order in its own channel's payload shape).

    python benchmarks/intake.py                      # SQLite file (durable: WAL + fsync on commit)
    python benchmarks/intake.py --database-url postgresql://user@127.0.0.1/db

Last line: intake: orders_per_s=<n> p99_ms=<n> database=<sqlite|postgresql>
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oms.channels.samples import sample_payload  # noqa: E402
from oms.catalogue import Catalogue, Sku  # noqa: E402

CHANNEL_MIX = {"tmall": 0.30, "jd": 0.15, "douyin": 0.15, "vip": 0.05, "mall": 0.25, "guide": 0.10}
CITIES = [("湖北省", "武汉市", "洪山区"), ("北京市", "北京市", "朝阳区"), ("上海市", "上海市", "浦东新区"),
          ("广东省", "广州市", "天河区"), ("四川省", "成都市", "武侯区"), ("辽宁省", "沈阳市", "和平区"),
          ("浙江省", "杭州市", "西湖区"), ("重庆市", "重庆市", "渝中区")]


def catalogue(styles: int = 200) -> Catalogue:
    return Catalogue.of(Sku(code=f"B{s:04d}-{c}-{z}", style=f"B{s:04d}", colour=c, size=z, price_fen=19900 + s * 100)
                        for s in range(styles) for c in ("BLK", "WHT") for z in ("S", "M", "L", "XL"))


def requests(n: int, skus: list[str], seed: int = 11) -> list[bytes]:
    rng = random.Random(seed)
    channels, weights = zip(*CHANNEL_MIX.items())
    start = datetime(2026, 11, 11, 0, 0, tzinfo=timezone(timedelta(hours=8)))
    built = []
    for i in range(n):
        channel = rng.choices(channels, weights)[0]
        lines = [(sku, rng.choice((1, 1, 1, 2)), 19900) for sku in rng.sample(skus, rng.choice((1, 1, 2, 3)))]
        province, city, district = rng.choice(CITIES)
        extra = {"store_id": f"ST{rng.randrange(1000):04d}", "guide_id": f"G{rng.randrange(5000)}"} \
            if channel == "guide" else {}
        body = json.dumps(sample_payload(channel, f"BENCH{i:08d}", lines, (province, city, district, "某路 1 号"),
                                         start + timedelta(seconds=i // 10), **extra), ensure_ascii=False).encode()
        built.append(b"POST /channels/%s/orders HTTP/1.1\r\nHost: bench\r\nX-Api-Key: bench-%s\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (channel.encode(), channel.encode(), len(body), body))
    return built


async def connection(host, port, queue, latencies, statuses):
    reader, writer = await asyncio.open_connection(host, port)
    while True:
        try:
            request = queue.pop()
        except IndexError:
            break
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        statuses[int(head[9:12])] = statuses.get(int(head[9:12]), 0) + 1
    writer.close()


async def drive(host, port, reqs, concurrency):
    queue = list(reversed(reqs))
    latencies, statuses = [], {}
    started = time.perf_counter()
    await asyncio.gather(*(connection(host, port, queue, latencies, statuses) for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, statuses


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, OMS_DATABASE_URL=url, OMS_RESOLVE_ADDRESSES="true",
               OMS_CHANNEL_KEYS=json.dumps({ch: f"bench-{ch}" for ch in CHANNEL_MIX}))
    cmd = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, preexec_fn=lambda: _pin(0))
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def _pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and os.cpu_count() and os.cpu_count() > 1:
        os.sched_setaffinity(0, {core})


def prepare_database(url: str, cat: Catalogue) -> None:
    from oms.persistence.database import make_engine
    from oms.persistence.migrate import upgrade
    from oms.persistence.seed import load_catalogue
    from oms.persistence import tables as t

    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in reversed(t.metadata.sorted_tables):
            conn.execute(table.delete())
    load_catalogue(engine, cat)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=48, help="open keep-alive connections")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="oms-intake-")
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    cat = catalogue()
    prepare_database(url, cat)
    reqs = requests(args.orders + 2_000, [s.code for s in cat])
    warmup, measured = reqs[:2_000], reqs[2_000:]
    port = free_port()
    server = start_server(url, port)
    try:
        _pin(1)
        asyncio.run(drive("127.0.0.1", port, warmup, args.concurrency))
        wall, latencies, statuses = asyncio.run(drive("127.0.0.1", port, measured, args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000
    database = "postgresql" if url.startswith("postgres") else "sqlite"
    print(f"orders={len(measured)} concurrency={args.concurrency} statuses={statuses} wall_s={wall:.2f} "
          f"p50_ms={p50:.1f} p99_ms={p99:.1f}")
    print(f"intake: orders_per_s={len(measured) / wall:.0f} p99_ms={p99:.1f} database={database}")


if __name__ == "__main__":
    main()
