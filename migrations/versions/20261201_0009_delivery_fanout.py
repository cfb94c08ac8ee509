"""delivery fan-out (broadcast speed): broadcast and narrowcast deliveries keyed by request

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FANOUT = "kind IN ('broadcast', 'narrowcast')"
FANOUT_REQUESTS = f"SELECT id FROM message_requests WHERE {FANOUT}"


def upgrade() -> None:
    op.create_table('fanout_deliveries',
    sa.Column('request_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('user_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('request_pk', 'user_pk', name=op.f('pk_fanout_deliveries'))
    )
    with op.batch_alter_table('message_requests', schema=None) as batch_op:
        batch_op.create_index('ix_message_requests_channel_fanout', ['channel_pk', 'id'], unique=False, postgresql_where=sa.text(FANOUT), sqlite_where=sa.text(FANOUT))
    # Deliveries of earlier fan-outs move to their new table.
    op.execute(
        "INSERT INTO fanout_deliveries (request_pk, user_pk, delivered_at) "
        f"SELECT request_pk, user_pk, delivered_at FROM deliveries WHERE request_pk IN ({FANOUT_REQUESTS})"
    )
    op.execute(f"DELETE FROM deliveries WHERE request_pk IN ({FANOUT_REQUESTS})")


def downgrade() -> None:
    op.execute(
        "INSERT INTO deliveries (user_pk, request_pk, delivered_at) "
        "SELECT user_pk, request_pk, delivered_at FROM fanout_deliveries"
    )
    with op.batch_alter_table('message_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_message_requests_channel_fanout', postgresql_where=sa.text(FANOUT), sqlite_where=sa.text(FANOUT))

    op.drop_table('fanout_deliveries')
