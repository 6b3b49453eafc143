"""login failures counted per login, per (login, address) and per address; SMS decoys

``login_failures`` holds one row per failed login (account or staff), so that
throttling counts parallel failures without a read-modify-write, and requires
a captcha instead of locking the owner out (issue 13.4).

``notifications.status`` gains ``withheld``: the decoy SMS queued for a number
that is not ours, which no delivery picks up (issue 13.5).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_STATUSES = ("queued", "sent", "failed")
NEW_STATUSES = (*OLD_STATUSES, "withheld")


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")"


def _replace_status_check(statuses: tuple[str, ...]) -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_notification_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notifications_notification_status"), _status_check(statuses))


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_kind_subject_created_at", "login_failures", ["kind", "subject", "created_at"]
    )
    op.create_index("ix_login_failures_kind_ip_created_at", "login_failures", ["kind", "ip", "created_at"])
    _replace_status_check(NEW_STATUSES)


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE status = 'withheld'")
    _replace_status_check(OLD_STATUSES)
    op.drop_index("ix_login_failures_kind_ip_created_at", table_name="login_failures")
    op.drop_index("ix_login_failures_kind_subject_created_at", table_name="login_failures")
    op.drop_table("login_failures")
