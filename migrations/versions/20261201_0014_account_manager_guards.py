"""account manager guards (the step scheduler's watermark, one default reply a channel)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("manager_steps") as batch:
        batch.add_column(sa.Column("due_through", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_manager_response_rules_default",
        "manager_response_rules",
        ["channel_pk"],
        unique=True,
        postgresql_where=sa.text("is_default"),
        sqlite_where=sa.text("is_default"),
    )


def downgrade() -> None:
    op.drop_index("uq_manager_response_rules_default", table_name="manager_response_rules")
    with op.batch_alter_table("manager_steps") as batch:
        batch.drop_column("due_through")
