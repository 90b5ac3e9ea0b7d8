"""Settings come from the environment: each case runs a fresh interpreter with its own env."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from tests.servers import ROOT

# Variables the settings module reads; the test process has its own values (test_settings),
# which must not leak into the interpreter under test.
SETTINGS_VARS = {
    "DEBUG", "SECRET_KEY", "CREDENTIALS_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL",
    "DATABASE_URL", "DATABASE_POOL", "DATABASE_POOL_MAX", "DATABASE_PREPARE_THRESHOLD", "CONN_MAX_AGE", "REDIS_URL",
    "CHANNELS_PREFIX", "CACHE_PREFIX", "EMAIL_URL", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "BEHIND_TLS_PROXY",
    "OCPP_UNKNOWN_CHARGERS", "DJANGO_SETTINGS_MODULE",
    # Set by the browser fixture for Playwright; check --deploy rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "CREDENTIALS_KEY": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "example.com",
}


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "wccportal.settings", **env},
    )


def read_settings(env: dict, *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run(env, "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_without_a_secret_key_refuses_to_start():
    result = run({"DEBUG": "0"}, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_without_a_credentials_key_refuses_to_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "CREDENTIALS_KEY"}
    result = run(env, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "CREDENTIALS_KEY must be set" in result.stderr


def test_debug_runs_with_no_configuration_at_all():
    s = read_settings({"DEBUG": "1"}, "SECRET_KEY", "CREDENTIALS_KEY", "ALLOWED_HOSTS")
    assert s["SECRET_KEY"].startswith("dev-only")
    assert len(s["CREDENTIALS_KEY"]) == 44  # a Fernet key derived from the dev secret
    assert "127.0.0.1" in s["ALLOWED_HOSTS"]


def test_embedded_default_is_sqlite_in_wal_mode_and_in_memory_layers():
    s = read_settings(PRODUCTION, "DATABASES", "CHANNEL_LAYERS", "CACHES", "Q_CLUSTER")
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"].endswith("var/db.sqlite3")
    assert "PRAGMA journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert s["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert s["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["Q_CLUSTER"]["orm"] == "default"
    assert "redis" not in s["Q_CLUSTER"]


def test_sqlite_database_url_keeps_wal():
    s = read_settings({**PRODUCTION, "DATABASE_URL": "sqlite:////srv/wcc/elsewhere.sqlite3"}, "DATABASES")
    db = s["DATABASES"]["default"]
    assert db["NAME"] == "/srv/wcc/elsewhere.sqlite3"
    assert "PRAGMA journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_postgres_database_url_is_pooled():
    url = "postgres://wcc:pw@db.internal:5432/wcc"
    s = read_settings({**PRODUCTION, "DATABASE_URL": url}, "DATABASES")
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["NAME"], db["USER"]) == ("db.internal", "wcc", "wcc")
    assert db["OPTIONS"]["pool"]["max_size"] == 20
    # The gateway's server-bound statements are prepared after five runs on a connection.
    assert db["OPTIONS"]["prepare_threshold"] == 5
    # … unless a pooler cannot keep prepared statements.
    s = read_settings({**PRODUCTION, "DATABASE_URL": url, "DATABASE_PREPARE_THRESHOLD": "0"}, "DATABASES")
    assert "prepare_threshold" not in s["DATABASES"]["default"]["OPTIONS"]


def test_redis_url_moves_channel_layer_cache_and_jobs_to_redis():
    redis = "redis://cache.internal:6379/3"
    s = read_settings({**PRODUCTION, "REDIS_URL": redis}, "CHANNEL_LAYERS", "CACHES", "Q_CLUSTER")
    layer = s["CHANNEL_LAYERS"]["default"]
    # channels_redis' layer with a pool that waits for a free connection (reconnect storms).
    assert layer["BACKEND"] == "wccportal.lib.channel_layer.BlockingPoolRedisChannelLayer"
    (host,) = layer["CONFIG"]["hosts"]
    assert (host["address"] if isinstance(host, dict) else host) == redis
    # A charger's socket lives for weeks; its group must outlive the default day.
    assert layer["CONFIG"]["group_expiry"] > 86400
    assert s["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert s["CACHES"]["default"]["LOCATION"] == redis
    assert s["Q_CLUSTER"]["redis"] == redis
    assert "orm" not in s["Q_CLUSTER"]


def test_email_url_configures_smtp():
    env = {**PRODUCTION, "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587"}
    s = read_settings(env, "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS")
    assert s == {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                 "EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": 587, "EMAIL_USE_TLS": True}


def test_production_is_secure_by_default():
    s = read_settings(PRODUCTION, "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
                      "SECURE_HSTS_SECONDS", "DEBUG", "STORAGES")
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["STORAGES"]["staticfiles"]["BACKEND"].endswith("ManifestStaticFilesStorage")


def test_unknown_charger_policy_is_validated():
    result = run({**PRODUCTION, "OCPP_UNKNOWN_CHARGERS": "accept"}, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "OCPP_UNKNOWN_CHARGERS" in result.stderr


@pytest.mark.parametrize("preload", ["", "1"], ids=["no-preload", "preload"])
def test_deployment_checks_pass_with_a_production_environment(preload):
    env = {**PRODUCTION, **({"SECURE_HSTS_PRELOAD": preload} if preload else {})}
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr
