"""Exact money: integer fen everywhere inside the OMS; yuan strings only at the edges."""
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

from oms.exceptions import InvalidOrder

FEN_PER_YUAN = 100


def yuan_to_fen(value: str | int | Decimal, *, field: str) -> int:
    """Parse a yuan amount ("199.00", "199", 199) into integer fen, exactly.

    Floats are refused: a float has already lost the exact amount a platform sent.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidOrder(f"{field}: money must be a decimal string or integer, not {type(value).__name__}", field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidOrder(f"{field}: {value!r} is not a money amount", field=field) from None
    if not amount.is_finite():
        raise InvalidOrder(f"{field}: {value!r} is not a money amount", field=field)
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise InvalidOrder(f"{field}: {value!r} has more than two decimal places", field=field)
    return int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> str:
    """Format integer fen as a yuan string with two decimals ("199.00")."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // FEN_PER_YUAN}.{fen % FEN_PER_YUAN:02d}"
