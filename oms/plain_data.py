"""Dataclasses as plain data (dicts, lists, atoms): what idempotency digests and stored cost breakdowns use."""
from __future__ import annotations

import dataclasses
import functools


_ATOMS = frozenset({str, int, float, bool, type(None)})


def plain(value):
    """`dataclasses.asdict` for commands, without its deep copies: dataclasses become dicts, lists and
    tuples lists, atoms stay as they are (the digest is computed from it on every POS action)."""
    if type(value) in _ATOMS:
        return value
    names = field_names(type(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@functools.cache
def field_names(cls) -> tuple[str, ...] | None:
    """A dataclass's field names (None for anything else), looked up once per class."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


def _refuse(self, *args, **kwargs):
    raise TypeError("this data is read-only; build a new value instead")


class _ReadOnly:
    """Copies of read-only data are the data itself; pickling rebuilds it from a plain copy."""

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return type(self), (self._base(self),)


class FrozenDict(_ReadOnly, dict):
    """A dict that refuses changes: JSON-like data written once (a shipment's explanation) can then be
    shared between copies of an order instead of copied. Still a dict for JSON, SQL and equality."""

    _base = dict

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse


class FrozenList(_ReadOnly, list):
    """A list that refuses changes (see `FrozenDict`)."""

    _base = list

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __iadd__ = __imul__ = _refuse


def frozen(value):
    """JSON-like data (dicts, lists, atoms) as read-only `FrozenDict` / `FrozenList`, all the way down."""
    if type(value) in (FrozenDict, FrozenList):
        return value  # made here, so frozen all the way down already
    if isinstance(value, dict):
        return FrozenDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return FrozenList(frozen(v) for v in value)
    return value
