"""Settings, chosen by CAREPLAN_ENV (development | testing | production) and read from the environment."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None


DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def _base_url() -> str | None:
    """The address people reach the app at, from `BASE_URL` (or the older `CAREPLAN_BASE_URL`)."""
    for name in ("BASE_URL", "CAREPLAN_BASE_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def base_url_problem(value: str | None) -> str | None:
    """What is wrong with `value` as the base of every absolute link the app sends, or None when nothing is."""
    from urllib.parse import urlsplit

    if not value:
        return "BASE_URL must be set (e.g. https://careplan.example.org)"
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError:
        hostname = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not hostname:
        return f"BASE_URL must be an http:// or https:// address with a host name, not {value!r}"
    if parts.query or parts.fragment or parts.username or parts.password:
        return f"BASE_URL must be the app's address only (no query, fragment or password), not {value!r}"
    return None


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'careplan.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle this long is checked with a round trip before use (app/db.py).
    DATABASE_PING_AFTER_IDLE = float(os.environ.get("DATABASE_PING_AFTER_IDLE", "5"))
    SQLALCHEMY_RECORD_QUERIES = False
    WARM_UP = False  # production: see ProductionConfig

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The session's expiry slides with use; the cookie is re-issued for that at most this often (app/auth/session.py).
    SESSION_REFRESH_AFTER = timedelta(minutes=1)

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("CAREPLAN_TIMEZONE", "Europe/Oslo")
    LANGUAGES = {"en": "English", "nb": "Norsk bokmål"}

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # The job queue's broker (app/jobs): Redis in production, e.g. redis://127.0.0.1:6379/1. Unset: each task runs in
    # the process that started it, right after its request's commit.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
    # Seconds a request to a learning platform's services (members, scores) may take.
    LTI_SERVICE_TIMEOUT = float(os.environ.get("LTI_SERVICE_TIMEOUT", "15"))
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins only (a correct password never counts): per address, and per account from one address ...
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # ... and per account from every address together: a short back-off, so that failures from elsewhere keep its
    # owner out for a minute at most.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "20 per minute")
    SENSITIVE_RATE_LIMIT = os.environ.get("SENSITIVE_RATE_LIMIT", "10 per minute")
    # Uploading a case or rubric in the browser (each upload is unpacked and checked), per person.
    CONTENT_UPLOAD_RATE_LIMIT = os.environ.get("CONTENT_UPLOAD_RATE_LIMIT", "30 per hour")

    # PDF export (app/plans/pdf.py): pages past the budget are refused before rendering (the browser's print view
    # still shows them); the rendering runs in a low-priority process, stopped after the timeout (seconds); a PDF
    # larger than PDF_MAX_BYTES is refused. PDF requests are limited per person.
    PDF_MAX_TABLE_CELLS = _int("PDF_MAX_TABLE_CELLS", 1000)
    PDF_MAX_TEXT_CHARS = _int("PDF_MAX_TEXT_CHARS", 60_000)
    PDF_RENDER_TIMEOUT = float(os.environ.get("PDF_RENDER_TIMEOUT", "20"))
    PDF_MAX_BYTES = _int("PDF_MAX_BYTES", 20 * 1024 * 1024)
    PDF_RENDER_NICE = _int("PDF_RENDER_NICE", 10)
    PDF_RATE_LIMIT = os.environ.get("PDF_RATE_LIMIT", "10 per minute")
    # A failed rendering of a submitted version is tried again only after this many seconds.
    PDF_RETRY_AFTER = _int("PDF_RETRY_AFTER", 600)

    # A cohort's plans as one zip (app/exports): files in EXPORTS_FOLDER (default: the instance folder's "exports"),
    # kept EXPORT_KEEP_HOURS after they are made. Each step adds at most EXPORT_STEP_PLANS plans and starts no new
    # plan after EXPORT_STEP_SECONDS; a step's claim not renewed for EXPORT_CLAIM_STALE seconds (a closed tab, a
    # stopped worker) is taken over by the next step. Starting exports is limited per person.
    EXPORTS_FOLDER = os.environ.get("EXPORTS_FOLDER")
    EXPORT_KEEP_HOURS = _int("EXPORT_KEEP_HOURS", 24)
    EXPORT_STEP_PLANS = _int("EXPORT_STEP_PLANS", 5)
    EXPORT_STEP_SECONDS = float(os.environ.get("EXPORT_STEP_SECONDS", "8"))
    EXPORT_CLAIM_STALE = _int("EXPORT_CLAIM_STALE", 300)
    EXPORT_RATE_LIMIT = os.environ.get("EXPORT_RATE_LIMIT", "10 per hour")

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Care Plan Lab <no-reply@careplan.local>")
    MAIL_ECHO = True  # print mail to the console when no MAIL_SERVER is configured
    # E-mail is handed to the mail server by a task after the request's commit (app/mail/tasks.py). A failed attempt
    # is tried again after MAIL_RETRY_BACKOFF seconds, doubling each time up to MAIL_RETRY_BACKOFF_MAX, at most
    # MAIL_MAX_RETRIES times after the first; then the message is marked failed in the outbox.
    MAIL_MAX_RETRIES = _int("MAIL_MAX_RETRIES", 5)
    MAIL_RETRY_BACKOFF = _int("MAIL_RETRY_BACKOFF", 60)
    MAIL_RETRY_BACKOFF_MAX = _int("MAIL_RETRY_BACKOFF_MAX", 3600)

    PASSWORD_RESET_HOURS = 2
    # Asking for a reset link and joining with a code answer no sooner than this (seconds), whether or not the
    # address has an account and however long the e-mail took to hand over: their timing tells nothing.
    ACCOUNT_ANSWER_SECONDS = float(os.environ.get("ACCOUNT_ANSWER_SECONDS", "0.3"))
    INVITATION_DAYS = 7
    # An invitation to a cohort (app/cohorts/invitations.py) works this long; inviting is limited per course leader.
    COHORT_INVITATION_DAYS = _int("COHORT_INVITATION_DAYS", 14)
    INVITE_RATE_LIMIT = os.environ.get("INVITE_RATE_LIMIT", "60 per hour")
    # Password sign-in: "on" (anyone may create an account with a join code), "invited-only" (no new accounts with a
    # join code; accounts that exist and those made from an invitation sign in with their password) or "off" (no
    # password at all: only the OpenID Connect provider below). See docs/feide.md.
    LOCAL_LOGIN = os.environ.get("LOCAL_LOGIN", "on").strip().lower()
    # Sign-in with Feide, or any OpenID Connect provider with the same settings (docs/feide.md). Shown when the
    # client id is set.
    FEIDE_CLIENT_ID = os.environ.get("FEIDE_CLIENT_ID", "")
    FEIDE_CLIENT_SECRET = os.environ.get("FEIDE_CLIENT_SECRET", "")
    # The provider's discovery document (FEIDE_DISCOVERY_URL is read too, as another name for it).
    OIDC_DISCOVERY_URL = (os.environ.get("OIDC_DISCOVERY_URL") or os.environ.get("FEIDE_DISCOVERY_URL")
                          or "https://auth.dataporten.no/.well-known/openid-configuration")
    FEIDE_SCOPES = os.environ.get("FEIDE_SCOPES", "openid profile email userid-feide groups-edu")
    # The provider's name on the sign-in button ("Sign in with Feide").
    FEIDE_PROVIDER_NAME = os.environ.get("FEIDE_PROVIDER_NAME", "Feide")
    # Feide's groups API (course groups -> cohorts); empty for a provider without one.
    FEIDE_GROUPS_URL = os.environ.get("FEIDE_GROUPS_URL", "https://groups-api.dataporten.no/groups/me/groups")
    # Whether the provider's e-mail address counts as verified without an `email_verified` claim (Feide's come from
    # the institution's records and carry none); false for a provider where people type their own address.
    FEIDE_TRUST_EMAIL = _bool("FEIDE_TRUST_EMAIL", True)
    # Whether someone without an account here gets one at their first sign-in with the provider. Without it, only
    # an invitation makes a new account.
    FEIDE_SIGN_UP = _bool("FEIDE_SIGN_UP", True)
    FEIDE_TIMEOUT = float(os.environ.get("FEIDE_TIMEOUT", "10"))

    # LTI 1.3 (app/lti, docs/lti.md). A session begun by a launch inside a learning platform's page gets a cookie the
    # browser sends inside that frame (SameSite=None; Secure; Partitioned); its forms keep their CSRF tokens. Off:
    # launches work only in a new window or tab.
    LTI_FRAME_COOKIES = _bool("LTI_FRAME_COOKIES", True)
    # Origins besides the platform's own that may show launched pages in a frame, space-separated (a Canvas
    # school's own host when its issuer is https://canvas.instructure.com).
    LTI_FRAME_ANCESTORS = os.environ.get("LTI_FRAME_ANCESTORS", "").split()
    LTI_TIMEOUT = float(os.environ.get("LTI_TIMEOUT", "10"))
    PASSWORD_MIN_LENGTH = 12
    # Every absolute link the app sends or shows (password resets, invitations, notifications, the join link) is
    # built from this, never from the request's Host header (app/urls.py `external_url`).
    BASE_URL: str | None = _base_url() or DEFAULT_BASE_URL
    REQUIRE_BASE_URL = False  # production: see ProductionConfig
    PASSWORD_HASH_METHOD = "scrypt"
    CONTENT_DIR = os.environ.get("CAREPLAN_CONTENT_DIR", str(BASE_DIR))
    HSTS = False
    # Behind a reverse proxy: how many proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Port/-Prefix.
    # 0 ignores those headers (a client could forge them when nothing in front strips them).
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 1 if _bool("CAREPLAN_PROXY_FIX") else 0)


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    MAIL_ECHO = False
    MAIL_SERVER = None
    CELERY_BROKER_URL = None  # tasks run in the test's process after the commit (a test may set a broker)
    # Tests create hundreds of accounts; a cheap hash keeps them fast (never used outside tests).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    ACCOUNT_ANSWER_SECONDS = 0.1


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True
    MAIL_ECHO = False
    WARM_UP = True  # compile templates and word lists when a worker starts, not on its first requests
    BASE_URL = _base_url()  # no default: links to a development address would reach real people
    REQUIRE_BASE_URL = True

    @classmethod
    def validate(cls) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set when CAREPLAN_ENV=production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("CAREPLAN_ENV", "development")
    try:
        config = CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"CAREPLAN_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
    if hasattr(config, "validate"):
        config.validate()
    return config
