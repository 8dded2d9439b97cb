"""The yardstick of benchmarks/load.py: TechEmpower's "Fortunes" test on Care Plan Lab's own stack.

    DATABASE_URL=postgresql+psycopg://… SECRET_KEY=… gunicorn -c app/gunicorn_conf.py 'benchmarks.fortunes_app:create_app()'

Flask, Flask-SQLAlchemy, Flask-Login and Flask-WTF's CSRFProtect, as in the app, and a page shaped like the app's
pages without their work: a signed-in session (the account read by Flask-Login's user_loader, one ORM query), the
twelve rows of the table `fortune` read through the ORM, one more added in memory ("Additional fortune added at
request time."), sorted by message and rendered as an escaped HTML table in a Jinja template that extends a layout
(a header with the navigation and the signed-in person, a `csrf_token()` meta in the head).

Beside it, the yardstick of a save: POST /drafts/<n> takes JSON {"save_token": n, "content": {…}} with the
X-CSRFToken header and stores the content whole, unchecked, in one conditional UPDATE (the signed-in owner's text,
over the token they read; the token counted up, the time set; RETURNING the new token), committed, answered as
JSON. It is what the app's autosave does without any of its own work, so no save on this stack can be cheaper.
GET /drafts/<n> answers its token and content. `fill(url, …)` creates its three tables (`fortune`,
`fortune_account`, `fortune_draft`) beside the app's in the same database and leaves the app's alone.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, bindparam, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

ADDITIONAL = "Additional fortune added at request time."
# The rows of TechEmpower's Fortunes test, markup and non-ASCII text included (the page must escape and encode them).
FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. \u2014 Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af",
]

db = SQLAlchemy()  # its own metadata: only these two tables, never the app's
login_manager = LoginManager()
csrf = CSRFProtect()


class Account(UserMixin, db.Model):
    __tablename__ = "fortune_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))


class Fortune(db.Model):
    __tablename__ = "fortune"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message: Mapped[str] = mapped_column(String(2048))


class Draft(db.Model):
    """One person's text, saved whole over the token its writer last read (the app's autosave without its work)."""
    __tablename__ = "fortune_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("fortune_account.id"))
    save_token: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# The save as one statement on the table, built once: no ORM bookkeeping of the session's objects, which the
# statement leaves alone (as the app's autosave does).
_drafts = Draft.__table__
SAVE = (update(_drafts)
        .where(_drafts.c.id == bindparam("which"), _drafts.c.owner_id == bindparam("who"),
               _drafts.c.save_token == bindparam("token"))
        .values(content=bindparam("text", type_=_drafts.c.content.type), save_token=_drafts.c.save_token + 1,
                saved_at=bindparam("at", type_=_drafts.c.saved_at.type))
        .returning(_drafts.c.save_token))


TEMPLATES = {
    "layout.html": """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="csrf-token" content="{{ csrf_token() }}">
  <title>{% block title %}{% endblock %} · Fortunes</title>
</head>
<body>
  <header class="site-header">
    <a class="brand" href="{{ url_for('fortunes') }}">Fortunes</a>
    <nav aria-label="Main">
      <ul>
        <li><a href="{{ url_for('fortunes') }}"{% if request.endpoint == 'fortunes' %} aria-current="page"{% endif %}>Fortunes</a></li>
        <li><a href="{{ url_for('healthz') }}">Status</a></li>
      </ul>
    </nav>
    {% if current_user.is_authenticated %}
    <form method="post" action="{{ url_for('logout') }}" class="account">
      <span>{{ current_user.name }}</span>
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      <button type="submit">Sign out</button>
    </form>
    {% endif %}
  </header>
  <main id="main">
    {% block content %}{% endblock %}
  </main>
</body>
</html>
""",
    "fortunes.html": """{% extends "layout.html" %}
{% block title %}Fortunes{% endblock %}
{% block content %}
<h1>Fortunes</h1>
<table>
<tr><th>id</th><th>message</th></tr>
{% for fortune in fortunes %}
<tr><td>{{ fortune.id }}</td><td>{{ fortune.message }}</td></tr>
{% endfor %}
</table>
{% endblock %}
""",
    "login.html": """{% extends "layout.html" %}
{% block title %}Sign in{% endblock %}
{% block content %}
<h1>Sign in</h1>
<form method="post" action="{{ url_for('login') }}">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <label>E-mail <input type="email" name="email" required></label>
  <label>Password <input type="password" name="password" required></label>
  <button type="submit">Sign in</button>
</form>
{% endblock %}
""",
}


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "fortunes-not-secret"),
        SQLALCHEMY_DATABASE_URI=database_url or os.environ["DATABASE_URL"],
        WTF_CSRF_TIME_LIMIT=None,  # as in the app: the token lives as long as the session
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
    )
    app.jinja_loader = DictLoader(TEMPLATES)
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "login"
    login_manager.session_protection = "basic"  # as in the app

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(Account, int(user_id)) if user_id.isdigit() else None

    @app.get("/fortunes")
    @login_required
    def fortunes():
        rows = list(db.session.scalars(db.select(Fortune)))
        rows.append(Fortune(id=0, message=ADDITIONAL))
        rows.sort(key=lambda fortune: fortune.message)
        return render_template("fortunes.html", fortunes=rows)

    @app.get("/drafts/<int:draft_id>")
    @login_required
    def draft(draft_id: int):
        found = db.session.scalar(db.select(Draft).where(Draft.id == draft_id, Draft.owner_id == current_user.id))
        if found is None:
            return jsonify({"error": "No such text."}), 404
        return jsonify({"save_token": found.save_token, "content": found.content})

    @app.post("/drafts/<int:draft_id>")
    @login_required
    def save(draft_id: int):
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict) or not isinstance(payload.get("save_token"), int) \
                or not isinstance(payload.get("content"), dict):
            return jsonify({"error": "Send {\"save_token\": n, \"content\": {…}}."}), 400
        now = datetime.now(UTC)
        saved = db.session.execute(SAVE, {"which": draft_id, "who": current_user.id, "token": payload["save_token"],
                                          "text": payload["content"], "at": now}).first()
        db.session.commit()
        if saved is None:
            return jsonify({"error": "A newer save came first."}), 409
        return jsonify({"save_token": saved.save_token, "saved_at": now.isoformat()})

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            account = db.session.scalar(db.select(Account).where(Account.email == request.form.get("email", "")))
            if account is not None and check_password_hash(account.password_hash, request.form.get("password", "")):
                login_user(account)
                return redirect(url_for("fortunes"))
            return render_template("login.html"), 401
        return render_template("login.html")

    @app.post("/logout")
    def logout():
        logout_user()
        return redirect(url_for("login"))

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


def fill(database_url: str, email: str, password: str, drafts: int = 256) -> None:
    """(Re)creates the tables `fortune` (the twelve rows), `fortune_account` (one account) and `fortune_draft`
    (`drafts` empty texts of that account, numbered from 1)."""
    app = create_app(database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.add_all(Fortune(id=n, message=message) for n, message in enumerate(FORTUNES, start=1))
        account = Account(email=email, name="Fortune Reader", password_hash=generate_password_hash(password))
        db.session.add(account)
        db.session.flush()
        db.session.add_all(Draft(id=n, owner_id=account.id, save_token=0, content={}) for n in range(1, drafts + 1))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
