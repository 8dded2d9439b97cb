"""version pdfs: the PDF of a submitted version, rendered once

Revision ID: 0007_version_pdfs
Revises: 0006_hint_dismissals
Create Date: 2026-12-05 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import app.db


# revision identifiers, used by Alembic.
revision = '0007_version_pdfs'
down_revision = '0006_hint_dismissals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('version_pdfs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('html_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', app.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', app.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("state IN ('rendering', 'ready', 'failed')", name=op.f('ck_version_pdfs_state_known')),
    sa.CheckConstraint("state != 'ready' OR data IS NOT NULL", name=op.f('ck_version_pdfs_ready_has_data')),
    sa.ForeignKeyConstraint(['version_id'], ['plan_versions.id'], name=op.f('fk_version_pdfs_version_id_plan_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_pdfs')),
    sa.UniqueConstraint('version_id', 'html_hash', name=op.f('uq_version_pdfs_version_id_html_hash'))
    )
    with op.batch_alter_table('version_pdfs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_pdfs_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('version_pdfs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_pdfs_version_id'))

    op.drop_table('version_pdfs')
