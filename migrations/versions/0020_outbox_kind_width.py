"""An e-mail's kind in the outbox has room for every notification's name

Revision ID: 0020_outbox_kind_width
Revises: 0019_lti_services
Create Date: 2026-12-05 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_outbox_kind_width'
down_revision = '0019_lti_services'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=64),
                              existing_nullable=False, existing_server_default=None)


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=64), type_=sa.String(length=32),
                              existing_nullable=False)
