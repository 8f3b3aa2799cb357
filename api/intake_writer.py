"""Group commit for order intake.

Channels post many small orders at peak. Committing each in its own
transaction costs one fsync per order and, on SQLite, makes request threads
queue on the write lock. Instead one writer thread takes whatever orders are
waiting, stores them in one transaction with `oms.services.store_orders` (each
order still all-or-nothing and exactly once) and commits once; every request
is answered only after the commit that holds its order, so answers stay durable.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Callable, NamedTuple

from oms.orders import Order
from oms.services import store_orders
from oms.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)
MAX_BATCH = 256  # orders per commit; bounds one transaction's size and latency


class GroupCommitWriter:
    def __init__(self, uow_factory: Callable[[], AbstractUnitOfWork], max_batch: int = MAX_BATCH):
        self._uow_factory = uow_factory
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, order: Order) -> Future:
        """Queue a validated order; the future yields a `PlaceResult` or a `DuplicateOrderConflict`."""
        self._ensure_started()
        future: Future = Future()
        self._queue.put((order, future))
        return future

    async def store(self, order: Order):
        """Queue a validated order from the event loop and wait for its commit (no thread hop per order)."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((order, _LoopFuture(loop, future)))
        return await future

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="intake-writer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            self._store(batch)

    def _store(self, batch: list[tuple[Order, Future]]) -> None:
        try:
            results = store_orders([order for order, _ in batch], self._uow_factory())
        except Exception:  # one bad order must not fail its neighbours: retry them one by one
            log.exception("group commit of %d orders failed; storing them one by one", len(batch))
            results = [self._store_alone(order) for order, _ in batch]
        by_loop: dict = {}
        for (_, future), result in zip(batch, results):
            if isinstance(future, _LoopFuture):
                by_loop.setdefault(future.loop, []).append((future.future, result))
            else:
                future.set_result(result)
        for loop, answers in by_loop.items():  # one wake-up of each event loop per batch
            loop.call_soon_threadsafe(_answer, answers)

    def _store_alone(self, order: Order):
        try:
            return store_orders([order], self._uow_factory())[0]
        except Exception as exc:  # noqa: BLE001 - handed to the waiting request, which answers for it
            return exc


class _LoopFuture(NamedTuple):
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future


def _answer(answers) -> None:
    for future, result in answers:
        if not future.done():
            future.set_result(result)
