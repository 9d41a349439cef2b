"""debrief: the student's self-assessment per competence block, released model transcripts

Revision ID: 0005_debrief
Revises: 0003_lti
Create Date: 2026-12-03 07:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_debrief"
down_revision = "0003_prep"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "self_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("block", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "block", name="uq_self_assessment"),
    )
    op.create_table(
        "model_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["teacher_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_model_releases_scenario_id", "model_releases", ["scenario_id"])
    op.create_index("ix_model_releases_session_id", "model_releases", ["session_id"])
    op.create_index("ix_model_releases_group_id", "model_releases", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_model_releases_group_id", table_name="model_releases")
    op.drop_index("ix_model_releases_session_id", table_name="model_releases")
    op.drop_index("ix_model_releases_scenario_id", table_name="model_releases")
    op.drop_table("model_releases")
    op.drop_table("self_assessments")
