"""LTI 1.3 tool: platforms, tool keys, LMS accounts, courses, activities, attempts, grades, launch cache

Revision ID: 0003_lti
Revises: 0002
Create Date: 2026-12-03 07:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_lti"
down_revision = "0003_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("deployment_ids", sa.JSON(), nullable=False),
        sa.Column("auth_login_url", sa.String(length=500), nullable=False),
        sa.Column("auth_token_url", sa.String(length=500), nullable=False),
        sa.Column("key_set_url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platform"),
    )
    op.create_index("ix_lti_platforms_issuer", "lti_platforms", ["issuer"])
    op.create_table(
        "lti_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kid", sa.String(length=64), nullable=False, unique=True),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "lti_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform_id", sa.Integer(), sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("platform_id", "subject", name="uq_lti_account"),
    )
    op.create_index("ix_lti_accounts_user_id", "lti_accounts", ["user_id"])
    op.create_table(
        "lti_courses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform_id", sa.Integer(), sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("roster_synced_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("platform_id", "context_id", name="uq_lti_course"),
    )
    op.create_index("ix_lti_courses_group_id", "lti_courses", ["group_id"])
    op.create_table(
        "lti_activities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform_id", sa.Integer(), sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("resource_link_id", sa.String(length=255), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("lineitem_url", sa.String(length=500), nullable=True),
        sa.Column("ags_scopes", sa.JSON(), nullable=False),
        sa.UniqueConstraint("platform_id", "resource_link_id", name="uq_lti_activity"),
    )
    op.create_table(
        "lti_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("activity_id", sa.Integer(), sa.ForeignKey("lti_activities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("learner_id", sa.String(length=255), sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("launched_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("activity_id", "learner_id", name="uq_lti_attempt"),
    )
    op.create_index("ix_lti_attempts_learner_id", "lti_attempts", ["learner_id"])
    op.create_table(
        "lti_grades",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(length=64), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("activity_id", sa.Integer(), sa.ForeignKey("lti_activities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("grade_20", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.UniqueConstraint("session_id", "activity_id", name="uq_lti_grade"),
    )
    op.create_table(
        "lti_cache",
        sa.Column("key", sa.String(length=255), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_lti_cache_expires_at", "lti_cache", ["expires_at"])


def downgrade() -> None:
    for table in (
        "lti_cache",
        "lti_grades",
        "lti_attempts",
        "lti_activities",
        "lti_courses",
        "lti_accounts",
        "lti_keys",
        "lti_platforms",
    ):
        op.drop_table(table)
