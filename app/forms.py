"""The base of every form: Flask-WTF's, with WTForms' own messages ("This field is required.") in the page's
language, read once per language and kept, instead of from disk on every request that shows a form. Its CSRF token
is Flask-WTF's own (`generate_csrf`, made once per request: the page's `<meta name="csrf-token">`, the forms in its
header and each form a view makes carry the same one)."""
from __future__ import annotations

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
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


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS
