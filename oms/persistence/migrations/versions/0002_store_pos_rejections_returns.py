"""store POS: shipment timestamps, rejections, returns and idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_shipments_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_shipments_node_shipped', ['node_id', 'shipped_at'], unique=False)

    op.create_table('rejections',
    sa.Column('order_id', ID, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('shipment_no', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=32), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku_code', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', 'seq')
    )
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.create_index('ix_rejections_node_at', ['node_id', 'at'], unique=False)

    op.create_table('returns',
    sa.Column('order_id', ID, nullable=False),
    sa.Column('return_no', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pickup_carrier', sa.String(length=32), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_node_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', 'return_no')
    )
    op.create_table('return_lines',
    sa.Column('order_id', ID, nullable=False),
    sa.Column('return_no', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku_code', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('condition', sa.String(length=16), nullable=True),
    sa.Column('refund_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['order_id', 'return_no'], ['returns.order_id', 'returns.return_no'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', 'return_no', 'line_no')
    )
    op.create_table('action_keys',
    sa.Column('node_id', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=96), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('node_id', 'request_id')
    )


def downgrade() -> None:
    op.drop_table('action_keys')
    op.drop_table('return_lines')
    op.drop_table('returns')
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.drop_index('ix_rejections_node_at')
    op.drop_table('rejections')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('ix_shipments_node_shipped')
        batch_op.drop_index('ix_shipments_status_created')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('shipped_at')
        batch_op.drop_column('accepted_at')
