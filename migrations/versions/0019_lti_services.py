"""An LMS course's roster sync remembers why it last failed

Revision ID: 0019_lti_services
Revises: 0018_outbox_delivery
Create Date: 2026-12-05 15:15:00

"""
import sqlalchemy as sa
from alembic import op

import app.db

# revision identifiers, used by Alembic.
revision = '0019_lti_services'
down_revision = '0018_outbox_delivery'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lti_contexts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_error', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('roster_error_at', app.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('lti_contexts', schema=None) as batch_op:
        batch_op.drop_column('roster_error_at')
        batch_op.drop_column('roster_error')
