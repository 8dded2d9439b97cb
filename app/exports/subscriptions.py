"""Exports follow what happens to the people in them."""
from __future__ import annotations

from app.exports.services import forget_exports_with
from app.privacy.signals import user_anonymised


@user_anonymised.connect
def forget_exports_naming_them(user, **_details) -> None:
    """A zip already made keeps the names printed in its PDFs and CSV: it must not outlive an anonymisation."""
    forget_exports_with(user.id)
