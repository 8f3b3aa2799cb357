"""FastAPI dependencies, as `Annotated` aliases."""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from api.context import AppContext
from api.errors import error_body


async def get_context(request: Request) -> AppContext:
    return request.app.state.context


ContextDep = Annotated[AppContext, Depends(get_context)]


def _owner_of(key: str, keys: dict[str, str]) -> str | None:
    for owner, expected in keys.items():
        if hmac.compare_digest(key.encode(), expected.encode()):
            return owner
    return None


def check_key(key: str | None, wanted: str, keys: dict[str, str], what: str) -> None:
    """401 for a missing or unknown key; 403 for a key that belongs to another channel or node."""
    if not key:
        raise HTTPException(401, error_body("unauthorised", "X-Api-Key header is required", "X-Api-Key"),
                            headers={"WWW-Authenticate": "ApiKey"})
    owner = _owner_of(key, keys)
    if owner is None:
        raise HTTPException(401, error_body("unauthorised", "unknown API key", "X-Api-Key"),
                            headers={"WWW-Authenticate": "ApiKey"})
    if owner != wanted:
        raise HTTPException(403, error_body("forbidden", f"this key is for {what} {owner!r}, not {wanted!r}",
                                            "X-Api-Key"))


ApiKeyHeader = Annotated[str | None, Header(alias="X-Api-Key", description="the caller's own API key")]
