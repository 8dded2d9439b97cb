"""What the main menu shows: each entry for those whose roles give them a use for it (app/templates/_nav.html)."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from app.cases.policies import can_browse_library
from app.cohorts.policies import is_admin, teaches_anywhere, writes_plans


def register_navigation(app: Flask) -> None:
    app.context_processor(navigation)


def navigation() -> dict:
    """The menu's entries for every template: "My plans" (`plans_nav`), "Reviews" (`reviews_nav`), "Case library"
    (`library_nav`) and "People" (`people_nav`). Everyone signed in has Home, Cohorts, Notifications and Account."""
    return {"plans_nav": writes_plans(current_user), "reviews_nav": teaches_anywhere(current_user),
            "library_nav": can_browse_library(current_user), "people_nav": is_admin(current_user)}
