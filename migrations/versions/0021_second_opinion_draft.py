"""A second instructor's scoring can be saved as a draft before it is submitted

Revision ID: 0021_second_opinion_draft
Revises: 0020_outbox_kind_width
Create Date: 2026-12-06 04:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.db

# revision identifiers, used by Alembic.
revision = '0021_second_opinion_draft'
down_revision = '0020_outbox_kind_width'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('second_opinions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('draft_saved_at', app.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('second_opinions', schema=None) as batch_op:
        batch_op.drop_column('draft_saved_at')
        batch_op.drop_column('draft')
