"""Settings, read from the environment.

DATABASE_URL   default: SQLite file var/congdoan.sqlite3 (WAL mode)
SECRET_KEY     required unless DEBUG is on
DEBUG          off unless "1"/"true" (``congdoan demo`` turns it on)
ALLOWED_HOSTS  comma-separated; default localhost names
EMAIL_URL-ish  EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
CONGDOAN_VAR   folder for the SQLite file, uploads and logs (default ./var)
CONGDOAN_IMPORT_MAX_MB   largest member list accepted for import (default 50)
CONGDOAN_JOBS  where background jobs run: thread (default), worker (`congdoan worker`), inline
CONGDOAN_DAILY on (default): the web process (thread) or the worker starts the daily tasks; off: cron does
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CONGDOAN_VAR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # A development key; `check --deploy` flags it, and production sets SECRET_KEY.
    SECRET_KEY = "django-insecure-congdoan-development-key-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "congdoan.core",
    "congdoan.accounts",
    "congdoan.audit",
    "congdoan.units",
    "congdoan.members",
    "congdoan.plans",
    "congdoan.indicators",
    "congdoan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "congdoan.core.null_characters.RefuseNullCharactersMiddleware",  # after Locale: its 400 is in Vietnamese
    "congdoan.core.middleware.LoginRequiredMiddleware",
    "congdoan.audit.middleware.ChangeContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "congdoan.core.middleware.DailyWorkMiddleware",
]

ROOT_URLCONF = "congdoan.urls"
WSGI_APPLICATION = "congdoan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "congdoan.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'congdoan.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while an import writes; IMMEDIATE avoids "database is locked" upgrades.
        # A large import's one transaction grows the log to the size of what it writes (3 GB for a
        # million members): journal_size_limit gives the disk back, down to 64 MB, at the next write.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA journal_size_limit=67108864;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
    if DATABASES["default"]["NAME"] != ":memory:":
        # A fresh checkout has no var/ yet: without it the first command cannot open the database.
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "units:tree"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: this many failures for one user name or one address within the window lock it out.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["congdoan.formats"]
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "congdoan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions and cookies: secure unless DEBUG (the demo runs on plain http://127.0.0.1).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# The preload directive only allows a submission to the browsers' list, which stays the operator's act.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["congdoan.accounts.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "congdoan.core.api.exception_handler",
    "DATE_INPUT_FORMATS": ["iso-8601", "%d/%m/%Y"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "congdoan API",
    "DESCRIPTION": _(
        "The API of the trade union work management system. Every query is limited to the user's unit tree."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two models have a "role": a user's and a unit's part in a reorganisation.
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "congdoan.accounts.models.Role",
        "InvolvementRoleEnum": "congdoan.units.models.ReorganisationUnit.Role",
        "DocumentKindEnum": "congdoan.plans.models.DocumentKind",
        "TargetKindEnum": "congdoan.plans.models.TargetKind",
        "TaskKindEnum": "congdoan.plans.models.TaskKind",
        "TaskStatusEnum": "congdoan.plans.models.TaskStatus",
        "MemberStatusEnum": "congdoan.members.models.Status",
        "ImportRowStatusEnum": "congdoan.members.imports.models.ImportRow.Status",
        "ImportStateEnum": "congdoan.members.imports.models.ImportBatch.State",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The demo mode prints its logins and runs on http://127.0.0.1.
CONGDOAN_DEMO = env_bool("CONGDOAN_DEMO")

# Member imports: the largest file accepted, and how many times an .xlsx may inflate when unpacked
# (each part, and the whole archive against the size limit) before it counts as a zip bomb.
CONGDOAN_IMPORT_MAX_BYTES = int(os.environ.get("CONGDOAN_IMPORT_MAX_MB", "50")) * 1024 * 1024
CONGDOAN_IMPORT_MAX_INFLATION = int(os.environ.get("CONGDOAN_IMPORT_MAX_INFLATION", "100"))
# Background jobs (imports, exports): "thread" runs them in a thread of the web process (no broker, for a
# demo or a small office), "worker" leaves them to `congdoan worker`, "inline" runs them at once (tests).
CONGDOAN_JOBS = os.environ.get("CONGDOAN_JOBS", "thread")
# Daily tasks (members' statuses) start on the day's first request or in the worker's loop; "off" leaves
# them to their commands, run from cron.
CONGDOAN_DAILY = env_bool("CONGDOAN_DAILY", default=True)
