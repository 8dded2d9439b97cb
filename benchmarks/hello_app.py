"""The ceiling: a bare Flask app with one route, served by gunicorn with the same settings as Care Plan Lab.

    gunicorn 'benchmarks.hello_app:create_app()'
"""
from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.route("/")
    def hello():
        return "Hello"

    return app
