"""the language a plan is written in

Revision ID: 0009_plan_language
Revises: 0008_review_save_token
Create Date: 2026-12-05 08:00:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_plan_language'
down_revision = '0008_review_save_token'
branch_labels = None
depends_on = None


def _default_language(locale, languages) -> str:
    """What hints a plan got before it had a language of its own: the student's language when the case is written in
    it, else the case's first language."""
    if isinstance(languages, str):
        languages = json.loads(languages)
    languages = languages or ["en"]
    return locale if locale in languages else languages[0]


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))

    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT plans.id, users.locale, case_versions.languages FROM plans "
        "JOIN users ON users.id = plans.student_id "
        "JOIN case_versions ON case_versions.id = plans.case_version_id")).all()
    update = sa.text("UPDATE plans SET language = :language WHERE id = :id")
    for plan_id, locale, languages in rows:
        language = _default_language(locale, languages)
        if language != 'en':
            connection.execute(update, {"language": language, "id": plan_id})


def downgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('language')
