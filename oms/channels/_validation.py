"""Pydantic `ValidationError` → `InvalidOrder`, naming the field the way the payload does.

``("lines", 1, "quantity")`` becomes ``lines[1].quantity``; a wrapper path given
by the caller is put in front, so the field always reads from the payload root.
"""
from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from oms.channels._fields import child, invalid
from oms.exceptions import InvalidOrder

# Pydantic error type → the rule, worded like the hand-written checks in _fields.
_RULES: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this schema",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "string_pattern_mismatch": "does not have the expected form {pattern}",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "too_short": "must hold at least {min_length} item(s)",
    "too_long": "must hold at most {max_length} items",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "model_attributes_type": "must be an object",
    "timezone_aware": "must carry a UTC offset, e.g. 2026-11-11T00:01:02+08:00",
    "datetime_parsing": "must be an ISO-8601 time such as 2026-11-11T00:01:02+08:00",
    "datetime_from_date_parsing": "must be an ISO-8601 time such as 2026-11-11T00:01:02+08:00",
    "datetime_type": "must be an ISO-8601 time such as 2026-11-11T00:01:02+08:00",
}


def loc_to_path(loc: tuple[str | int, ...], prefix: str = "") -> str:
    path = prefix
    for part in loc:
        path = child(path, part)
    return path


def _rule(error: ErrorDetails) -> str:
    template = _RULES.get(error["type"])
    if template is None:  # our own PydanticCustomError messages already read as rules
        return error["msg"]
    return template.format(**error.get("ctx", {}))


def from_validation_error(err: ValidationError, prefix: str = "") -> InvalidOrder:
    """The first problem as an `InvalidOrder`; the message says how many more there are."""
    errors = err.errors(include_url=False)
    first = errors[0]
    failure = invalid(loc_to_path(first["loc"], prefix), _rule(first))
    if len(errors) > 1:
        more = len(errors) - 1
        failure = InvalidOrder(f"{failure.message} (and {more} more problem{'s' if more > 1 else ''})",
                               field=failure.field)
    return failure
