"""WCC Portal settings, read from the environment (one module for every deployment).

The embedded default (no variable set) runs on a SQLite file in WAL mode, an in-memory
channel layer, a local-memory cache and the django-q2 ORM broker. Setting DATABASE_URL and
REDIS_URL moves the same code to PostgreSQL and Redis. See README.md, "Configuration".
"""

import base64
import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# A development default exists so the quick start needs no setup; outside DEBUG a real
# secret is mandatory.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-3f1c9a7e5b2d4c68"  # noqa: S105 - DEBUG only
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

# Encrypts the revealable copy of charger passwords (DESIGN.md §6). A urlsafe base64 Fernet
# key; in DEBUG it is derived from SECRET_KEY so the quick start needs nothing.
CREDENTIALS_KEY = env.str("CREDENTIALS_KEY", default="")
if not CREDENTIALS_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("CREDENTIALS_KEY must be set when DEBUG is off.")
    CREDENTIALS_KEY = base64.urlsafe_b64encode(
        hashlib.sha256(("credentials:" + SECRET_KEY).encode()).digest()
    ).decode()

INSTALLED_APPS = [
    # daphne first: `runserver` then serves HTTP and websockets from the ASGI application.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "captcha",
    "django_countries",  # country names in EN/FR/DE for charger addresses (CP-7)
    "wccportal",
    "accounts",
    "chargers",
    "groups",
    "sessions_app",
    "billing",
    "ocpp_gateway",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "wccportal.urls"
ASGI_APPLICATION = "wccportal.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wccportal.context_processors.shell",
                "wccportal.context_processors.group_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            # WAL lets the gateway write while pages read; IMMEDIATE avoids lock upgrades
            # failing with "database is locked" under concurrent writers.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
elif _db["ENGINE"] in ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"):
    if env.bool("DATABASE_POOL", default=True):
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": env.int("DATABASE_POOL_MAX", default=20),
        }
    else:
        _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # The gateway's hand-written statements (wccportal.lib.sql, bound on the server) are
    # prepared on a connection once they have run this often there: PostgreSQL then skips
    # parsing and planning them, which was most of its work per charger message. 0 turns it
    # off, for a pooler in transaction mode that cannot keep prepared statements (PgBouncer
    # before 1.21; later ones need max_prepared_statements > 0). The ORM's statements bind
    # on the client and are not affected.
    if _prepare_threshold := env.int("DATABASE_PREPARE_THRESHOLD", default=5):
        _db.setdefault("OPTIONS", {})["prepare_threshold"] = _prepare_threshold
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, job broker ------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "wccportal.lib.channel_layer.BlockingPoolRedisChannelLayer",
            "CONFIG": {
                # redis-py's default read timeout (5 s) equals channels_redis' blocking pop
                # (5 s): under load the pop's answer comes late and the consumer dies. The
                # pool waits up to `timeout` for a free connection when thousands of chargers
                # reconnect at once.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5,
                           "max_connections": 1000, "timeout": 60}],
                # A charger stays in its group for as long as its socket lives (weeks);
                # the default expiry of a day would silently cut commands off.
                "group_expiry": 60 * 60 * 24 * 30,
                "capacity": 1000,
                "prefix": env.str("CHANNELS_PREFIX", default="wcc"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="wcc"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

Q_CLUSTER = {
    "name": "wccportal",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 300,
    "retry": 360,
    "max_attempts": 3,
    "catch_up": False,
    "label": "Jobs",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1

# --- E-mail -----------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="WCC Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
# allauth's own password-based sign-up is closed (adapter.is_open_for_signup): ACC-1 sign-up
# (accounts.services.user_signup) takes names and consent and e-mails an initial password.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# A reset request for an unknown address silently sends nothing (no account enumeration).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# ACC-1: versions of the legal documents a new user accepts (recorded in accounts.Consent).
TERMS_VERSION = env.str("TERMS_VERSION", default="2026-01")
PRIVACY_VERSION = env.str("PRIVACY_VERSION", default="2026-01")
# ACC-6: a deleted account can be restored by signing in for this many days, then it is erased.
ACCOUNT_DELETION_GRACE_DAYS = env.int("ACCOUNT_DELETION_GRACE_DAYS", default=14)
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = None
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # ACC-4: reset links live 24 hours.
# GRP-3: group invitations can be accepted for this many days.
GROUP_INVITATION_DAYS = env.int("GROUP_INVITATION_DAYS", default=7)
# RES-4: how long a freed charger is held for the next driver of the waitlist.
WAITLIST_HOLD_MINUTES = env.int("WAITLIST_HOLD_MINUTES", default=5)
# Session exports (SES-5): files outside MEDIA_ROOT, download links valid this many days.
EXPORTS_ROOT = env.path("EXPORTS_ROOT", default=BASE_DIR / "var" / "exports")
# Files only their users may fetch (charger pictures, uploaded diagnostics, CP-7/CP-10): never
# under MEDIA_ROOT, served by views that check access first.
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=BASE_DIR / "var" / "private")
# GetDiagnostics uploads (CP-10): how long the upload link stays valid, and the largest file.
DIAGNOSTICS_UPLOAD_HOURS = env.int("DIAGNOSTICS_UPLOAD_HOURS", default=24)
DIAGNOSTICS_MAX_BYTES = env.int("DIAGNOSTICS_MAX_BYTES", default=50 * 1024 * 1024)
EXPORT_LINK_DAYS = env.int("EXPORT_LINK_DAYS", default=7)
EXPORT_PDF_MAX_SESSIONS = env.int("EXPORT_PDF_MAX_SESSIONS", default=5000)
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# ACC-2: the web sign-in form asks for a captcha (django-simple-captcha, drawn locally, works
# offline); the mobile app's headless API login has none and keeps the rate limit above.
ACCOUNT_FORMS = {"login": "accounts.forms_login.LoginForm"}
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes an image stays valid
CAPTCHA_FONT_SIZE = 30
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_LETTER_ROTATION = (-25, 25)
CAPTCHA_CHALLENGE_FUNCT = "accounts.captcha.readable_challenge"
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)
# The mobile app uses allauth headless in "app" mode (X-Session-Token header).
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_FRONTEND_URLS = {
    "account_reset_password_from_key": SITE_URL + "/accounts/password/reset/key/{key}/",
}

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # allauth's app token and the session, refusing users who must change their password
        # first (ACC-1) with 403 password_change_required.
        "accounts.api.authentication.TokenAuthentication",
        "accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "wccportal.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "claim": "10/hour",
        "guest_login": "10/min",
        "signup": "20/hour",
    },
    "DEFAULT_SCHEMA_CLASS": "wccportal.api.AutoSchema",
    "EXCEPTION_HANDLER": "wccportal.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "WCC Portal API",
    "DESCRIPTION": "Driver app and integration API of WCC Portal. Errors always have the shape "
    '{"error": {"code": ..., "message": ..., "fields": {...}}}.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "sessions_app.models.ChargingSession.Status",
        "SessionSourceEnum": "sessions_app.models.ChargingSession.Source",
        "ExportScopeEnum": "sessions_app.models.SessionExport.Scope",
    },
}

# --- OCPP gateway ------------------------------------------------------------------------------
OCPP_HEARTBEAT_INTERVAL = env.int("OCPP_HEARTBEAT_INTERVAL", default=300)
# A charger whose last message is older than this is marked offline by the sweep.
OCPP_OFFLINE_TIMEOUT = env.int("OCPP_OFFLINE_TIMEOUT", default=OCPP_HEARTBEAT_INTERVAL * 2 + 60)
# What to do with a charger id that is not provisioned: "refuse" or "pending".
OCPP_UNKNOWN_CHARGERS = env.str("OCPP_UNKNOWN_CHARGERS", default="refuse")
if OCPP_UNKNOWN_CHARGERS not in ("refuse", "pending"):
    raise ImproperlyConfigured("OCPP_UNKNOWN_CHARGERS must be 'refuse' or 'pending'.")
# Seconds the platform waits for a charger's answer to a command.
OCPP_CALL_TIMEOUT = env.int("OCPP_CALL_TIMEOUT", default=30)
# Days the CS-CP frame log is kept.
OCPP_FRAME_LOG_DAYS = env.int("OCPP_FRAME_LOG_DAYS", default=90)

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Asking browsers to preload HSTS for a domain is hard to undo, so it is the operator's
# explicit choice (SECURE_HSTS_PRELOAD=1), not a deployment warning.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    # The proxy terminates TLS (OCPP security profile 2 included) and says so in a header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Redirecting plain-HTTP health checks would fail the load balancer's probe.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "ocpp": {"level": "WARNING"},
    },
}
