"""uploaded cases and rubrics kept between their preview and the import

Revision ID: 0011_content_upload
Revises: 0010_student_number
Create Date: 2026-12-05 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.db


# revision identifiers, used by Alembic.
revision = '0011_content_upload'
down_revision = '0010_student_number'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('expires_at', app.db.UTCDateTime(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_content_uploads_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_content_uploads_token'))
    )
    with op.batch_alter_table('content_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_uploads_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_uploads_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('content_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_uploads_owner_id'))
        batch_op.drop_index(batch_op.f('ix_content_uploads_expires_at'))

    op.drop_table('content_uploads')
