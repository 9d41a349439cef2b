"""scenarios written in the browser editor (one row per version)

Revision ID: 0003_editor
Revises: 0002
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_editor"
down_revision = "0003_lti"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authored_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug", "version", name="uq_authored_scenario_version"),
    )
    op.create_index("ix_authored_scenarios_slug", "authored_scenarios", ["slug"])
    op.create_index("ix_authored_scenarios_author_id", "authored_scenarios", ["author_id"])


def downgrade() -> None:
    op.drop_index("ix_authored_scenarios_author_id", table_name="authored_scenarios")
    op.drop_index("ix_authored_scenarios_slug", table_name="authored_scenarios")
    op.drop_table("authored_scenarios")
