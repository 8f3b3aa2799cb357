"""One exception family for the OMS; `api/errors.py` maps each to an HTTP status once."""


class OmsError(Exception):
    """Base of every business error the OMS raises.

    `field` names the input at fault (a dotted path such as ``lines[2].sku``)
    when the error comes from bad input, so callers can point at it.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidOrder(OmsError):
    """An order payload breaks a business rule (quantity <= 0, missing address…)."""


class UnknownChannel(OmsError):
    """A channel name the OMS does not integrate."""


class UnknownSku(InvalidOrder):
    """A seller SKU code that is not in the catalogue."""


class UnknownNode(OmsError):
    """A fulfilment node id that is not in the network."""


class NotFound(OmsError):
    """A resource (order, shipment, return) that does not exist or is not visible to the caller."""


class DuplicateOrderConflict(OmsError):
    """The same channel order id was sent again with different content."""


class IllegalTransition(OmsError):
    """A lifecycle change that the state machine does not allow from the current state."""

    def __init__(self, message: str, *, current: str, requested: str):
        super().__init__(message)
        self.current = current
        self.requested = requested


class InsufficientStock(OmsError):
    """A reservation asked for more than a node's available-to-promise."""


class InvalidStockMovement(OmsError):
    """A stock movement that would break an inventory invariant (negative on-hand, over-release…)."""


class AddressUnresolved(InvalidOrder):
    """A delivery address whose province/city/district cannot be placed on the map."""


class ActionConflict(OmsError):
    """An idempotency key reused for a different action or payload."""


class MalformedPayload(InvalidOrder):
    """The request body is not parseable JSON at all."""


class InvalidAction(OmsError):
    """A store action whose content does not fit the shipment (a wrong SKU scanned, more units than
    the line holds, a line the shipment does not have…)."""


class ReturnWindowClosed(OmsError):
    """A return asked for after the return window (7 days from delivery by default) closed."""
