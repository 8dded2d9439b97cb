"""The base of every form: Flask-WTF's, with WTForms' own messages ("This field is required.") in the page's
language, read once per language and kept, instead of from disk on every request that shows a form; and the CSRF
token every page and form carries, signed once per session rather than on every page."""
from __future__ import annotations

import functools

from babel import support
from flask import current_app, g, session
from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF, generate_csrf
from itsdangerous import URLSafeTimedSerializer
from wtforms.i18n import messages_path

_catalogues: dict[str, support.NullTranslations] = {}


class _Translations:
    @staticmethod
    def _current() -> support.NullTranslations:
        locale = str(get_locale() or "en")
        catalogue = _catalogues.get(locale)
        if catalogue is None:
            catalogue = _catalogues[locale] = support.Translations.load(messages_path(), [locale], domain="wtforms")
        return catalogue

    def gettext(self, string: str) -> str:
        return self._current().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._current().ungettext(singular, plural, n)


_TRANSLATIONS = _Translations()


class _SessionCSRF(_FlaskFormCSRF):
    """Flask-WTF's CSRF for forms, with the same token as the page around them (`csrf_token`): a form made in a
    view, before the page renders, would otherwise have Flask-WTF sign the session's token anew."""

    def generate_csrf_token(self, csrf_token_field):
        config = current_app.config
        if (self.meta.csrf_secret == (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)
                and self.meta.csrf_field_name == config.get("WTF_CSRF_FIELD_NAME", "csrf_token")):
            return csrf_token()
        return super().generate_csrf_token(csrf_token_field)


class Form(FlaskForm):
    class Meta:
        csrf_class = _SessionCSRF

        def get_translations(self, form):
            return _TRANSLATIONS


@functools.lru_cache(maxsize=4096)
def _signed(secret_key: str, raw_token: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token").dumps(raw_token)


def csrf_token() -> str:
    """Flask-WTF's CSRF token for this session, as its `generate_csrf` makes it and its CSRF protection checks it.
    Tokens have no time limit here (WTF_CSRF_TIME_LIMIT None: one lives as long as the session), so the signed
    token is kept per session's secret and reused, instead of signed again on every page; a session without a
    secret yet has Flask-WTF make one. With a time limit, Flask-WTF makes the token."""
    config = current_app.config
    name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    if name in g:
        return g.get(name)
    if not isinstance(session.get(name), str):
        generate_csrf()  # Flask-WTF makes the session's secret; its own signature of it is replaced just below
    token = _signed(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, session[name])
    setattr(g, name, token)
    return token
