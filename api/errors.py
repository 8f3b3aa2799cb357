"""The one place where OMS errors become HTTP answers.

Every error body has the same shape: `{"error": <kind>, "detail": <message>, "field": <input at fault>}`
(plus `current_status` for lifecycle conflicts).
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from api.responses import JsonResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from oms import exceptions as e
from oms.persistence.repositories import ConcurrentUpdate

STATUS = [  # most specific first
    (e.MalformedPayload, 400, "malformed_json"),
    (e.UnknownSku, 422, "unknown_sku"),
    (e.AddressUnresolved, 422, "address_unresolved"),
    (e.InvalidOrder, 422, "invalid_order"),
    (e.UnknownChannel, 404, "unknown_channel"),
    (e.UnknownNode, 404, "unknown_node"),
    (e.NotFound, 404, "not_found"),
    (e.DuplicateOrderConflict, 409, "duplicate_order_conflict"),
    (e.IllegalTransition, 409, "illegal_transition"),
    (e.InsufficientStock, 409, "insufficient_stock"),
    (e.InvalidStockMovement, 409, "invalid_stock_movement"),
    (e.ActionConflict, 409, "idempotency_key_conflict"),
    (ConcurrentUpdate, 409, "concurrent_update"),
    (e.InvalidAction, 422, "invalid_action"),
    (e.ReturnWindowClosed, 409, "return_window_closed"),
    (e.OmsError, 400, "bad_request"),
]


def error_body(kind: str, detail: str, field: str | None = None, **extra) -> dict:
    return {"error": kind, "detail": detail, "field": field, **extra}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(e.OmsError)
    async def oms_error(_request: Request, exc: e.OmsError):
        for cls, status, kind in STATUS:
            if isinstance(exc, cls):
                extra = {"current_status": exc.current} if isinstance(exc, e.IllegalTransition) else {}
                return JsonResponse(error_body(kind, exc.message, exc.field, **extra), status_code=status)
        raise exc  # unreachable: OmsError is last in STATUS

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"] if p not in ("body", "query", "path", "header"))
        return JsonResponse(error_body("invalid_request", f"{field}: {first['msg']}", field or None), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, dict) else error_body("http_error", str(exc.detail))
        return JsonResponse(detail, status_code=exc.status_code, headers=getattr(exc, "headers", None))
