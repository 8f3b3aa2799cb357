"""Idempotency keys for actions sent by devices on flaky networks (a store POS on shop Wi-Fi).

The client makes up a request id per action and re-sends it on every retry. The key is stored in
the same transaction as the action, so a retry finds it and changes nothing; the same id sent with
another action or payload is a conflict, never silently applied.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING

from oms.exceptions import ActionConflict
from oms.plain_data import plain

if TYPE_CHECKING:
    from oms.unit_of_work import AbstractUnitOfWork

_NOT_CONTENT = ("request_id", "actor")


class ActionKey:
    """One action a caller (a node) did once: what it was, a digest of its content, what it acted on.

    The digest is worked out when first asked for (a database stores it; an in-memory store only
    compares it when a request id comes back), from the command the key was made for."""

    __slots__ = ("node_id", "request_id", "action", "ref", "at", "outcome", "_digest", "_command")

    def __init__(self, node_id: str, request_id: str, action: str, digest: str | None = None, ref: str = "",
                 at: datetime | None = None, outcome: dict | None = None, *, command=None):
        if digest is None and command is None:
            raise ValueError("an action key needs its digest or the command to take it from")
        self.node_id, self.request_id, self.action, self.ref, self.at = node_id, request_id, action, ref, at
        self.outcome = outcome  # the answer itself, when it cannot be rebuilt from current state
        self._digest, self._command = digest, command

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest, self._command = digest_of(self._command), None
        return self._digest

    def __eq__(self, other) -> bool:
        return isinstance(other, ActionKey) and all(getattr(self, f) == getattr(other, f) for f in _FIELDS)

    __hash__ = None

    def __repr__(self) -> str:
        return "ActionKey(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in _FIELDS) + ")"


_FIELDS = ("node_id", "request_id", "action", "digest", "ref", "at", "outcome")


def digest_of(cmd) -> str:
    """A digest of a command's content: what it asks, not who sent it or under which request id."""
    content = {k: v for k, v in plain(cmd).items() if k not in _NOT_CONTENT}
    raw = json.dumps([type(cmd).__name__, content], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def key_for(cmd, *, node_id: str, request_id: str, ref: str, at: datetime) -> ActionKey:
    """The key a command would leave; its digest covers the command's content, not who sent it."""
    return ActionKey(node_id=node_id, request_id=request_id, action=type(cmd).__name__, ref=ref, at=at, command=cmd)


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
