"""which notifications each person also gets by e-mail; a cohort's plans exported as one zip, built in steps

Revision ID: 0012_exports_and_preferences
Revises: 0011_content_upload
Create Date: 2026-12-05 10:35:07.693311

"""
from alembic import op
import sqlalchemy as sa
import app.db


# revision identifiers, used by Alembic.
revision = '0012_exports_and_preferences'
down_revision = '0011_content_upload'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_email_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('by_email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_email_choices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_email_choices')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_email_choices_user_id_kind'))
    )
    op.create_table('plan_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('state', sa.Enum('building', 'ready', 'expired', name='export_state', native_enum=False, length=16), nullable=False),
    sa.Column('plan_ids', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('claim', sa.Integer(), nullable=False),
    sa.Column('claimed_at', app.db.UTCDateTime(), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('finished_at', app.db.UTCDateTime(), nullable=True),
    sa.Column('expires_at', app.db.UTCDateTime(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("state != 'ready' OR file_name IS NOT NULL", name=op.f('ck_plan_exports_ready_has_file')),
    sa.CheckConstraint('done >= 0 AND done <= total', name=op.f('ck_plan_exports_done_within_total')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_plan_exports_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_plan_exports_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_exports'))
    )
    with op.batch_alter_table('plan_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_exports_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_exports_requested_by_id'), ['requested_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('plan_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_exports_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_plan_exports_assignment_id'))

    op.drop_table('plan_exports')
    op.drop_table('notification_email_choices')
