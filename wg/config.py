"""Settings from the environment, with defaults that work with nothing set."""

import os
import secrets
import tempfile
from pathlib import Path


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalize_database_url(url):
    """Accept the URLs hosting providers hand out and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_secret_key(instance_path):
    """Use SECRET_KEY if set; otherwise generate one once and keep it in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        try:
            os.chmod(path, 0o600)  # an older, world-readable copy is made private
        except OSError:
            pass
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with owner-only permissions; never committed (instance/ is ignored by git).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class Config:
    """Production-ready defaults; every value can be overridden by the environment."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PASSWORD_TOKEN_MAX_AGE = 60 * 60 * 48  # set-password and reset links: 48 hours
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"  # per address; 5/min per (address, account)
    RATELIMIT_HEADERS_ENABLED = True  # 429 answers carry Retry-After
    PER_PAGE = 50
    # Request bodies: 1 MB for forms (413 before the body is read), more for the bulk CSV upload.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    UPLOAD_MAX_CONTENT_LENGTH = 3 * 1024 * 1024
    UPLOAD_ENDPOINTS = ("actions.bulk",)
    # Document uploads may carry DOCUMENT_MAX_BYTES (plus the form around the file).
    DOCUMENT_UPLOAD_ENDPOINTS = ("documents.upload", "documents.new_version")
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WG_REMEMBER_COOKIE = "wg_remember"  # our own remember-me cookie (random token, hashed in DB)
    REMEMBER_DAYS = 30

    def __init__(self):
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, the
        # client address is the socket's; a wrong number lets clients fake their address).
        self.DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2"))
        self.DATABASE_STATEMENT_TIMEOUT = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT",
                                                             "30000"))
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        # Several deployments (or test runs) sharing one Redis keep their counters apart.
        self.RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.SERVER_NAME = os.environ.get("SERVER_NAME") or None
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
        self.BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.SMTP_HOST = os.environ.get("SMTP_HOST") or None
        self.SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
        self.SMTP_USERNAME = os.environ.get("SMTP_USERNAME") or None
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
        self.SMTP_STARTTLS = _bool("SMTP_STARTTLS", True)
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "Coalition tracker <no-reply@localhost>")
        self.OUTBOX_DELIVERY_SECONDS = int(os.environ.get("OUTBOX_DELIVERY_SECONDS", "60"))
        self.OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
        # Single sign-on (OpenID Connect); unset OIDC_ISSUER: password login only.
        self.OIDC_ISSUER = os.environ.get("OIDC_ISSUER") or None
        self.OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID") or None
        self.OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET") or None
        self.OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME") or None
        self.OIDC_CREATE_PEOPLE = _bool("OIDC_CREATE_PEOPLE", False)
        self.OIDC_NEW_PEOPLE_PARTICIPANT = os.environ.get("OIDC_NEW_PEOPLE_PARTICIPANT") or None
        self.PASSWORD_LOGIN = _bool("PASSWORD_LOGIN", True)
        self.WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
        # Off: subscriptions may not point at loopback, private or link-local addresses.
        self.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = _bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
        # Documents: largest file, and where files live (a local directory unless an
        # S3-compatible bucket is configured).
        self.DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
        self.DOCUMENTS_DIR = os.environ.get("DOCUMENTS_DIR") or None
        self.DOCUMENTS_S3_BUCKET = os.environ.get("DOCUMENTS_S3_BUCKET") or None
        self.DOCUMENTS_S3_ENDPOINT_URL = os.environ.get("DOCUMENTS_S3_ENDPOINT_URL") or None
        self.DOCUMENTS_S3_KEY_ID = os.environ.get("DOCUMENTS_S3_KEY_ID") or None
        self.DOCUMENTS_S3_SECRET = os.environ.get("DOCUMENTS_S3_SECRET") or None
        self.DOCUMENTS_S3_REGION = os.environ.get("DOCUMENTS_S3_REGION") or None


class TestConfig(Config):
    """Settings for the test suite: the database comes from TEST_DATABASE_URL or a temp file."""

    __test__ = False  # not a pytest test class
    TESTING = True
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the suite quick

    def __init__(self, database_url=None):
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.RATELIMIT_ENABLED = False
        self.SECRET_KEY = "test-secret-key"
        self.SMTP_HOST = None
        self.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the tests' receivers listen on loopback
        # Document files of the tests (content-addressed, so runs may share the directory).
        self.DOCUMENTS_DIR = os.path.join(tempfile.gettempdir(), "wg-test-documents")
