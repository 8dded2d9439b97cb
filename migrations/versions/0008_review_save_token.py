"""review save token

Revision ID: 0008_review_save_token
Revises: 0007_version_pdfs
Create Date: 2026-12-05 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_review_save_token'
down_revision = '0007_version_pdfs'
branch_labels = None
depends_on = None


def upgrade():
    # Counts the saves of a review's levels and messages: a save from a page that read an older count is refused,
    # so two tabs writing the same review cannot silently overwrite each other.
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('save_token', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_reviews_save_token_positive'), 'save_token >= 0')


def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reviews_save_token_positive'), type_='check')
        batch_op.drop_column('save_token')
