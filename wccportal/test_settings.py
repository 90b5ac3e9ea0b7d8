"""Test overrides: the same settings module, made fast and deterministic.

DATABASE_URL and REDIS_URL still apply, so CI runs the suite against PostgreSQL and Redis.
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("CREDENTIALS_KEY", "dGVzdC1jcmVkZW50aWFscy1rZXktMDEyMzQ1Njc4OWE=")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DATABASE_POOL", "0")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("CHANNELS_PREFIX", f"wcctest{os.getpid()}")
os.environ.setdefault("CACHE_PREFIX", f"wcctest{os.getpid()}")
# Session exports of this run (a server subprocess inherits it, so the test reads its files).
os.environ.setdefault("EXPORTS_ROOT", os.path.join(tempfile.gettempdir(), f"wcc-test-exports-{os.getpid()}"))

os.environ.setdefault("PRIVATE_ROOT", os.path.join(tempfile.gettempdir(), f"wcc-test-private-{os.getpid()}"))

from wccportal.settings import *  # noqa: E402,F403
from wccportal.settings import Q_CLUSTER, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ.get("TEST_EMAIL_FILE_PATH"):
    # A server subprocess of the browser tests writes its e-mails where the test reads them.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["TEST_EMAIL_FILE_PATH"]
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
OCPP_CALL_TIMEOUT = 5

# A file-backed SQLite test database, so a Daphne subprocess (end-to-end and browser tests)
# sees the same data as the test process. Named per process, like the prefixes above: two
# test runs in one checkout would otherwise drop each other's tables mid-run.
# PostgreSQL test databases are shared anyway.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
