"""Idempotency keys for actions sent by devices on flaky networks (a store POS on shop Wi-Fi).

The client makes up a request id per action and re-sends it on every retry. The key is stored in
the same transaction as the action, so a retry finds it and changes nothing; the same id sent with
another action or payload is a conflict, never silently applied.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from oms.exceptions import ActionConflict
from oms.plain_data import plain

if TYPE_CHECKING:
    from oms.unit_of_work import AbstractUnitOfWork

_NOT_CONTENT = ("request_id", "actor")


@dataclass
class ActionKey:
    """One action a caller (a node) did once: what it was, a digest of its content, what it acted on."""

    node_id: str
    request_id: str
    action: str
    digest: str
    ref: str  # what the answer is about: "12-1" (a shipment), "sale:R-1001", "12-R1" (a return)
    at: datetime
    outcome: dict | None = None  # the answer itself, when it cannot be rebuilt from current state


def key_for(cmd, *, node_id: str, request_id: str, ref: str, at: datetime) -> ActionKey:
    """The key a command would leave; its digest covers the command's content, not who sent it."""
    content = {k: v for k, v in plain(cmd).items() if k not in _NOT_CONTENT}
    raw = json.dumps([type(cmd).__name__, content], sort_keys=True, default=str, ensure_ascii=False)
    return ActionKey(node_id=node_id, request_id=request_id, action=type(cmd).__name__, ref=ref, at=at,
                     digest=hashlib.sha256(raw.encode()).hexdigest())


def replayed(uow: "AbstractUnitOfWork", key: ActionKey) -> ActionKey | None:
    """The stored key when this exact action was already done; None when it is new.

    Call it after locking what the action changes, so a racing retry waits and then sees the key.
    """
    stored = uow.actions.get(key.node_id, key.request_id)
    if stored is None:
        return None
    if stored.digest != key.digest or stored.ref != key.ref:
        raise ActionConflict(f"request id {key.request_id!r} was already used for {stored.action} on {stored.ref}; "
                             f"a new action needs a new request id", field="request_id")
    return stored
