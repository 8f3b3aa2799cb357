"""SQLAlchemy repository of idempotency keys (`oms/idempotency.py`)."""
from __future__ import annotations

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from oms.exceptions import ActionConflict
from oms.idempotency import ActionKey
from oms.persistence import tables as t
from oms.unit_of_work import ActionKeyRepository

_FIELDS = ("node_id", "request_id", "action", "digest", "ref", "at", "outcome")


class SqlActionKeys(ActionKeyRepository):
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, node_id: str, request_id: str) -> ActionKey | None:
        k = t.action_keys.c
        row = self.conn.execute(select(t.action_keys).where(k.node_id == node_id, k.request_id == request_id)).first()
        return None if row is None else ActionKey(**{name: getattr(row, name) for name in _FIELDS})

    def add(self, key: ActionKey) -> None:
        try:
            self.conn.execute(insert(t.action_keys).values({name: getattr(key, name) for name in _FIELDS}))
        except IntegrityError:
            # A racing request stored the same id first (only when nothing else serialised them).
            raise ActionConflict(f"request id {key.request_id!r} is being used by another request; retry",
                                 field="request_id") from None
