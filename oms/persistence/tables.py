"""The relational schema, as SQLAlchemy Core tables. Domain objects stay plain;
`oms/persistence/repositories.py` maps rows to them and back.

Alembic migrations (`oms/persistence/migrations/`) create and upgrade this
schema; tests check the two agree.
"""
from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Float, ForeignKeyConstraint, Index, Integer, MetaData,
    String, Table, Text, UniqueConstraint,
)

from oms.persistence.types import UtcDateTime as DateTime

metadata = MetaData()

ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite only auto-increments INTEGER PRIMARY KEY

orders = Table(
    "orders", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("channel_order_id", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("paid_at", DateTime(), nullable=False),
    Column("promised_by", DateTime(), nullable=False),
    Column("received_at", DateTime(), nullable=False),
    Column("channel_shop_id", String(64)),
    Column("store_id", String(32)),
    Column("guide_id", String(64)),
    Column("customer_id", String(128)),
    Column("channel_status", String(64)),
    Column("presale", Boolean, nullable=False, default=False),
    Column("ship_after", DateTime()),
    Column("backorder_reason", Text),
    Column("province", String(64), nullable=False),
    Column("city", String(64), nullable=False),
    Column("district", String(64), nullable=False),
    Column("detail", String(512), nullable=False),
    Column("receiver_name", String(512)),
    Column("receiver_phone", String(512)),
    Column("postcode", String(16)),
    Column("adcode", String(12)),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_precision", String(12)),
    Column("geo_fallback", Boolean, nullable=False, default=False),
    Column("total_paid_fen", BigInteger, nullable=False),
    Column("version", Integer, nullable=False, default=0),
    UniqueConstraint("channel", "channel_order_id", name="uq_orders_channel_order"),
)
Index("ix_orders_status_paid", orders.c.status, orders.c.paid_at)
Index("ix_orders_paid", orders.c.paid_at)

order_lines = Table(
    "order_lines", metadata,
    Column("order_id", ID, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku_code", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_fen", BigInteger, nullable=False),
    Column("paid_fen", BigInteger, nullable=False),
    Column("channel_line_id", String(64)),
    ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
)

shipments = Table(
    "shipments", metadata,
    Column("order_id", ID, primary_key=True),
    Column("shipment_no", Integer, primary_key=True),
    Column("node_id", String(32), nullable=False),
    Column("status", String(24), nullable=False),
    Column("created_at", DateTime()),
    Column("mode", String(16)),
    Column("cost_fen", BigInteger, nullable=False, default=0),
    Column("explanation", JSON),
    Column("parcel_count", Integer),
    Column("weight_g", Integer),
    Column("carrier", String(32)),
    Column("tracking_no", String(64)),
    Column("reject_reason", Text),
    Column("accepted_at", DateTime()),
    Column("shipped_at", DateTime()),
    Column("delivered_at", DateTime()),
    ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
)
Index("ix_shipments_node_status", shipments.c.node_id, shipments.c.status)
Index("ix_shipments_status_created", shipments.c.status, shipments.c.created_at)  # escalation
Index("ix_shipments_node_shipped", shipments.c.node_id, shipments.c.shipped_at)  # a store's day

shipment_lines = Table(
    "shipment_lines", metadata,
    Column("order_id", ID, primary_key=True),
    Column("shipment_no", Integer, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku_code", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("picked_qty", Integer, nullable=False, default=0),
    ForeignKeyConstraint(["order_id", "shipment_no"], ["shipments.order_id", "shipments.shipment_no"],
                         ondelete="CASCADE"),
)

order_audit = Table(
    "order_audit", metadata,
    Column("order_id", ID, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("at", DateTime(), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("from_status", String(24)),
    Column("to_status", String(24), nullable=False),
    Column("reason", Text, nullable=False),
    ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
)

stock = Table(
    "stock", metadata,
    Column("node_id", String(32), primary_key=True),
    Column("sku_code", String(64), primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("safety_stock", Integer, nullable=False),
)
Index("ix_stock_sku", stock.c.sku_code)

skus = Table(
    "skus", metadata,
    Column("code", String(64), primary_key=True),
    Column("style", String(32), nullable=False),
    Column("colour", String(32), nullable=False),
    Column("size", String(16), nullable=False),
    Column("category", String(32), nullable=False),
    Column("price_fen", BigInteger, nullable=False),
    Column("weight_g", Integer, nullable=False),
    Column("barcode", String(64), unique=True),
)

nodes = Table(
    "nodes", metadata,
    Column("node_id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(128), nullable=False),
    Column("spec", JSON, nullable=False),  # the full node description as the network file has it
)

# A node giving (part of) a line back: never sent there again for this order; teaches the allocator.
rejections = Table(
    "rejections", metadata,
    Column("order_id", ID, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("shipment_no", Integer, nullable=False),
    Column("node_id", String(32), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku_code", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("reason", String(24), nullable=False),
    Column("at", DateTime(), nullable=False),
    ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
)
Index("ix_rejections_node_at", rejections.c.node_id, rejections.c.at)

returns = Table(
    "returns", metadata,
    Column("order_id", ID, primary_key=True),
    Column("return_no", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_at", DateTime(), nullable=False),
    Column("pickup_carrier", String(32)),
    Column("received_at", DateTime()),
    Column("received_node_id", String(32)),
    ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
)

return_lines = Table(
    "return_lines", metadata,
    Column("order_id", ID, primary_key=True),
    Column("return_no", Integer, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku_code", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("condition", String(16)),
    Column("refund_fen", BigInteger, nullable=False, default=0),
    ForeignKeyConstraint(["order_id", "return_no"], ["returns.order_id", "returns.return_no"], ondelete="CASCADE"),
)

# Idempotency keys of actions callers sent (a POS retrying on flaky Wi-Fi), stored with the action.
action_keys = Table(
    "action_keys", metadata,
    Column("node_id", String(32), primary_key=True),
    Column("request_id", String(96), primary_key=True),
    Column("action", String(32), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("outcome", JSON),
    Column("at", DateTime(), nullable=False),
)
