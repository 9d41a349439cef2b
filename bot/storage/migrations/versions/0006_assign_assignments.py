"""assignments; indexes for the teacher pages at scale (sessions by learner and date, evidence by session)

Revision ID: 0003_assign
Revises: 0002
Create Date: 2026-12-03 07:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_assign"
down_revision = "0003_editor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts_allowed", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["teacher_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assignments_group_id", "assignments", ["group_id"])
    # the teacher pages read a class's scores by session (heatmap, progression, exports): with the
    # score in the index, PostgreSQL answers from the index alone instead of scanning the
    # whole table (30,000 sessions: 570,000 scores; scripts/bench_teacher.py)
    op.create_index("ix_criterion_scores_session_score", "criterion_scores", ["session_id", "criterion_id", "score"])
    # the transcript and the fiche read a session's evidence; nothing indexed it by session
    op.create_index("ix_evidence_session_id", "evidence", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_session_id", table_name="evidence")
    op.drop_index("ix_criterion_scores_session_score", table_name="criterion_scores")
    op.drop_index("ix_assignments_group_id", table_name="assignments")
    op.drop_table("assignments")
