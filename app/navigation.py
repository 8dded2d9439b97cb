"""What the main menu shows: each entry for those whose roles give them a use for it (app/templates/_nav.html)."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user


def register_navigation(app: Flask) -> None:
    app.context_processor(navigation)


def navigation() -> dict:
    """The menu's flags for every template: "My plans" (`plans_nav`) and "Reviews" (`reviews_nav`)."""
    from app.cohorts.policies import teaches_anywhere, writes_plans

    return {"plans_nav": writes_plans(current_user), "reviews_nav": teaches_anywhere(current_user)}
