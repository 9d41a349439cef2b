"""preparation sheets written by the student before a session

Revision ID: 0003_prep
Revises: 0002
Create Date: 2026-12-03 07:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_prep"
down_revision = "0004_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preparation_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=255), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id"),
    )
    op.create_index("ix_preparation_sheets_learner_id", "preparation_sheets", ["learner_id"])
    op.create_index("ix_preparation_sheets_scenario_id", "preparation_sheets", ["scenario_id"])


def downgrade() -> None:
    op.drop_index("ix_preparation_sheets_scenario_id", table_name="preparation_sheets")
    op.drop_index("ix_preparation_sheets_learner_id", table_name="preparation_sheets")
    op.drop_table("preparation_sheets")
