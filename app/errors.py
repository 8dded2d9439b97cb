"""Domain exceptions raised by services, and the one place that maps them (and HTTP errors) to pages."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.db import db


class DomainError(Exception):
    status = 400

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self.message = message


class NotPermitted(DomainError):
    status = 403


class NotReady(NotPermitted):
    """Refused until something else is done first, with a link to where it is done."""

    def __init__(self, message: str, link: str, label: str):
        super().__init__(message)
        self.link, self.label = link, label


class NotFound(DomainError):
    status = 404


class InvalidTransition(DomainError):
    status = 409


class Conflict(DomainError):
    status = 409


class ValidationError(DomainError):
    status = 400


def wants_json() -> bool:
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _default_message(status: int) -> str:
    return {
        400: _("The request could not be understood."),
        403: _("You do not have permission to do that."),
        404: _("We could not find that page."),
        405: _("That action is not allowed here."),
        409: _("Something changed in the meantime."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing you saved is lost; please try again."),
        503: _("The service is unavailable right now."),
    }.get(status, _("Something went wrong."))


def error_response(status: int, message: str | None = None, link: str | None = None, label: str | None = None):
    message = message or _default_message(status)
    if wants_json():
        answer = {"error": message, "status": status}
        if link:
            answer["link"] = link
        return jsonify(answer), status
    template = f"errors/{status}.html" if status in (403, 404, 429, 500) else "errors/generic.html"
    return render_template(template, status=status, message=message, link=link, link_label=label), status


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        return error_response(error.status, error.message, getattr(error, "link", None), getattr(error, "label", None))

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        return error_response(400, _("Your form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        message = None
        if error.code == 400 and error.description and error.description != type(error).description:
            message = error.description
        return error_response(error.code or 500, message)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return error_response(500)
