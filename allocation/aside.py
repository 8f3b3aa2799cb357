"""Work done on the second core while the batch is solved: a forked child computes, the parent collects.

The child shares the parent's arrays as they were at the fork (copy-on-write),
so nothing big is sent either way; only its result comes back, pickled. Used
for work whose result is optional, such as a stronger bound: when there is no
second core, no `fork`, or the child fails or is late, `result` says None and
the caller goes on without it.

When the parent is ready for the result it asks the child to stop
(`stop_requested` turns true in the child): work that improves a result step
by step checks it between steps and answers with what it has, so the parent
waits for at most one step. Such work can also `report` each better result as
it goes: the parent then takes the last one reported at once, without waiting
for the step under way (at 100k orders a step of the bound's ascent takes 0.6 s).
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
from typing import Any, Callable

log = logging.getLogger(__name__)
_stop: Any = None  # in a child: the event the parent sets when it wants the result
_conn: Any = None  # in a child: its end of the pipe


def stop_requested() -> bool:
    """True in a child whose parent now waits for its result (always False elsewhere)."""
    return _stop is not None and _stop.is_set()


def report(out: Any) -> None:
    """In a child: `out` is the result so far; the parent may take it instead of waiting for the end."""
    if _conn is not None:
        _conn.send(_Report(out))


class Aside:
    """`fn(*args)` started in a forked child; `result(timeout)` collects it once. A thread of the parent reads
    what the child sends as it comes, so a child reporting big results never waits on a full pipe."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._proc = self._stop = self._reader = None
        self._latest: Any = None  # the last `_Report` or result read
        self._heard = threading.Event()  # set when the child sent anything or ended
        self._news = threading.Event()  # set on each report or end, cleared by `wait_news`
        self.started = False
        if (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
            return
        ctx = mp.get_context("fork")
        try:
            recv, send = ctx.Pipe(duplex=False)
            stop = ctx.Event()
            proc = ctx.Process(target=_child, args=(send, stop, fn, args))
            proc.start()
        except (OSError, AssertionError, ValueError) as exc:  # e.g. inside a daemonic worker process
            log.info("aside work not started: %s", exc)
            return
        send.close()
        self._reader = threading.Thread(target=self._read, args=(recv,), daemon=True)
        self._reader.start()
        self._proc, self._stop, self.started = proc, stop, True

    def _read(self, conn) -> None:
        try:
            while True:
                out = conn.recv()
                if isinstance(out, _Failed):
                    return
                self._latest = out
                self._heard.set()
                self._news.set()
                if not isinstance(out, _Report):
                    return
        except (EOFError, OSError):  # the child ended or was stopped
            return
        finally:
            conn.close()
            self._heard.set()
            self._news.set()

    @property
    def running(self) -> bool:
        """Started and not yet collected by `result`."""
        return self._proc is not None

    @property
    def ended(self) -> bool:
        """The child sent its result or stopped (so no report will follow)."""
        return self._reader is not None and not self._reader.is_alive()

    def latest(self) -> Any | None:
        """The last result the child reported so far (or its result, if it ended), leaving it running; None if
        it has sent nothing yet."""
        latest = self._latest
        return latest.out if isinstance(latest, _Report) else latest

    def wait_news(self, timeout: float) -> bool:
        """Wait at most `timeout` seconds for a report (or the end) newer than the last wait; whether one came."""
        came = self._news.wait(max(timeout, 0.0))
        self._news.clear()
        return came

    def result(self, timeout: float) -> Any | None:
        """The child's result, or the last one it reported (`report`) if the result has not come by then; waits
        at most `timeout` seconds, and only while the child has sent nothing. None if nothing came (the child
        is stopped)."""
        if self._proc is None:
            return None
        proc, self._proc = self._proc, None
        self._stop.set()
        self._heard.wait(max(timeout, 0.0))
        latest = self._latest
        if proc.is_alive():
            proc.terminate()
        proc.join()
        self._reader.join()
        if latest is None:
            log.info("aside work gave nothing in %.1f s; going on without it", timeout)
            return None
        return latest.out if isinstance(latest, _Report) else latest


class _Report:
    def __init__(self, out: Any) -> None:
        self.out = out


class _Failed:
    def __init__(self, why: str) -> None:
        self.why = why


def _child(conn, stop, fn: Callable[..., Any], args: tuple) -> None:
    global _stop, _conn
    _stop, _conn = stop, conn
    try:
        out = fn(*args)
    except BaseException as exc:  # the parent goes on without it
        out = _Failed(f"{type(exc).__name__}: {exc}")
    try:
        conn.send(out)
    finally:
        conn.close()
