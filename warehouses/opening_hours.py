"""When a node works: its daily opening windows, and work that only progresses while open.

A node's hours are a tuple of ``(open, close)`` windows, the same every day
(Chinese stores and warehouses trade seven days a week). ``END_OF_DAY`` as a
close time stands for 24:00, so a 24-hour warehouse is ``ALL_DAY`` and a night
shift is written as two windows (``22:00–24:00`` and ``00:00–06:00``). Times are
local China Standard Time; datetimes are naive or share one tzinfo.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

END_OF_DAY = time.max  # stands for 24:00 as a close time
ALL_DAY = ((time(0), END_OF_DAY),)

Windows = tuple[tuple[time, time], ...]


def validate_windows(windows) -> Windows:
    """The windows as a sorted tuple, or ValueError for an impossible timetable."""
    result = tuple(sorted((tuple(w) for w in windows), key=lambda w: w[0]))
    if not result:
        raise ValueError('"opening_hours" must have at least one window.')
    for open_at, close_at in result:
        if not open_at < close_at:
            raise ValueError(f'opening window {format_time(open_at)}-{format_time(close_at)} must open before it closes.')
    for (_, close_a), (open_b, _) in zip(result, result[1:]):
        if open_b < close_a:
            raise ValueError('"opening_hours" windows must not overlap.')
    return result


def parse_windows(text: str) -> Windows:
    """"10:00-22:00", "08:00-12:00,13:00-20:00", "00:00-24:00" or "24h" → windows."""
    text = text.strip().replace("–", "-").replace("—", "-")
    if text.lower() in ("24h", "24/7"):
        return ALL_DAY
    windows = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, sep, end = part.partition("-")
        if not sep:
            raise ValueError(f"opening window {part!r} must look like 10:00-22:00.")
        windows.append((parse_time(start), parse_time(end, closing=True)))
    return validate_windows(windows)


def parse_time(text: str, *, closing: bool = False) -> time:
    """"09:30" → time(9, 30); "24:00" only as a closing time (→ END_OF_DAY)."""
    text = text.strip()
    if closing and text in ("24:00", "24:00:00"):
        return END_OF_DAY
    try:
        return time.fromisoformat(text if len(text) > 4 else text.zfill(5))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day (HH:MM).") from None


def format_time(t: time) -> str:
    return "24:00" if t == END_OF_DAY else t.strftime("%H:%M")


def format_windows(windows: Windows) -> str:
    return ",".join(f"{format_time(a)}-{format_time(b)}" for a, b in windows)


def open_hours_per_day(windows: Windows) -> float:
    return sum((_at(date.min, b) - _at(date.min, a)).total_seconds() for a, b in windows) / 3600


def is_open_at(windows: Windows, moment: datetime) -> bool:
    t = moment.timetz().replace(tzinfo=None)
    return any(a <= t < b or (b == END_OF_DAY and t >= a) for a, b in windows)


def next_open(windows: Windows, moment: datetime) -> datetime:
    """`moment` itself if the node is open then, else the start of its next window."""
    if is_open_at(windows, moment):
        return moment
    for day_offset in (0, 1):
        day = moment.date() + timedelta(days=day_offset)
        for open_at, _ in windows:
            start = _at(day, open_at, moment)
            if start > moment:
                return start
    raise AssertionError("a validated timetable opens every day")


def add_working_time(windows: Windows, start: datetime, work: timedelta) -> datetime:
    """When `work` started (or queued) at `start` is done, progressing only while open."""
    current, remaining = next_open(windows, start), work
    while True:
        window_end = _window_end(windows, current)
        available = window_end - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = next_open(windows, window_end)


def _window_end(windows: Windows, moment: datetime) -> datetime:
    t = moment.timetz().replace(tzinfo=None)
    for open_at, close_at in windows:
        if open_at <= t and (t < close_at or close_at == END_OF_DAY):
            return _at(moment.date(), close_at, moment)
    raise AssertionError("called only while open")


def _at(day: date, t: time, like: datetime | None = None) -> datetime:
    tzinfo = like.tzinfo if like is not None else None
    if t == END_OF_DAY:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo)
    return datetime.combine(day, t, tzinfo)
