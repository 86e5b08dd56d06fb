"""The one settings module. Every operator-facing value comes from an
environment variable documented in README.md ("Configuration").

Defaults give the embedded install: SQLite in WAL mode and media files under
one data directory (``NASHR_DATA_DIR``, default ``./nashr-data``), a secret
key generated on first run and kept in that directory, and no other server.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent  # .../nashr


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("NASHR_DATA_DIR", "nashr-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """``NASHR_SECRET_KEY`` if set, else a key generated once and kept in
    ``DATA_DIR/secret_key`` (mode 0600) so sessions survive restarts."""
    if os.environ.get("NASHR_SECRET_KEY"):
        return os.environ["NASHR_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
    except OSError:
        raise


SECRET_KEY = _secret_key()
DEBUG = env_bool("NASHR_DEBUG", False)

SITE_URL = os.environ.get("NASHR_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site_host = SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
ALLOWED_HOSTS = env_list(
    "NASHR_ALLOWED_HOSTS", sorted({_site_host, "127.0.0.1", "localhost", "[::1]"})
)
CSRF_TRUSTED_ORIGINS = env_list("NASHR_CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "nashr.site",
    "nashr.articles",
    "nashr.newsletter",
    "nashr.search",
    "nashr.comments",
    "nashr.members",
    "nashr.importers",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nashr.site.middleware.SiteCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private / Vary: Cookie for members' pages (nashr.members)
    "nashr.members.middleware.MemberCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # last, so its 400 page still gets the security headers on the way out
    "nashr.site.middleware.BadRequestGuardMiddleware",
]

ROOT_URLCONF = "nashr.site.urls"
WSGI_APPLICATION = "nashr.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nashr.site.context_processors.site_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite in WAL mode by default: readers never block the writer, which is
# what lets the web server and the task worker share one file.
SQLITE_PATH = DATA_DIR / "nashr.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=env_int("NASHR_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN so two writers wait
        # (busy_timeout) instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA mmap_size=134217728;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
# "fragments": HTML parts of article pages (nashr.articles.fragments), apart
# from the default cache so they never push out rate-limit counters.
NASHR_FRAGMENT_CACHE_SECONDS = env_int("NASHR_FRAGMENT_CACHE_SECONDS", 300)
if os.environ.get("NASHR_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["NASHR_REDIS_URL"],
        },
        "fragments": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["NASHR_REDIS_URL"],
            "KEY_PREFIX": "fragments",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "nashr-fragments",
            "OPTIONS": {"MAX_ENTRIES": env_int("NASHR_FRAGMENT_CACHE_ENTRIES", 4000)},
        },
    }

# --- Background tasks (django-tasks; database backend by default) ----------
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "NASHR_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- Language, time -------------------------------------------------------
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", "العربية")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ar", "العربية"), ("en", "English")]
TIME_ZONE = os.environ.get("NASHR_TIME_ZONE", "Asia/Riyadh")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "site" / "locale"]

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("NASHR_MEDIA_DIR", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve app static files straight from the installed package: no
# collectstatic step for the embedded install.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600

# --- Email ----------------------------------------------------------------
# With an SMTP host configured, mail goes out over SMTP; without one (the
# demo, development) it is printed to the console and newsletters are
# written as .eml files under NASHR_DATA_DIR/outbox/.
EMAIL_BACKEND = os.environ.get(
    "NASHR_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("NASHR_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("NASHR_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("NASHR_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("NASHR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("NASHR_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("NASHR_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("NASHR_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("NASHR_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("NASHR_FROM_EMAIL", "nashr@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
CSRF_FAILURE_VIEW = "nashr.site.views.csrf_failure"
if SITE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("NASHR_SITE_NAME", "نشرة الصباح")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILIMAGES_IMAGE_MODEL = "articles.NewsImage"
WAGTAILIMAGES_IMAGE_FORM_BASE = "nashr.articles.forms.NewsImageForm"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("NASHR_MAX_IMAGE_UPLOAD_MB", 20) * 1024 * 1024
# 40 megapixels: a 50-MP full-frame photo is rare in a newsroom; anything far
# larger is almost always a decompression bomb.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env_int("NASHR_MAX_IMAGE_PIXELS", 60_000_000)
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif", "avif"]
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "docx", "txt", "csv"]
WAGTAIL_ALLOW_UNICODE_SLUGS = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No request to a third-party host, ever: no Gravatar avatars in the admin.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_USAGE_COUNT_ENABLED = False
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True

# --- Nashr ----------------------------------------------------------------
NASHR_SITE_NAME = WAGTAIL_SITE_NAME
NASHR_SITE_DESCRIPTION = os.environ.get(
    "NASHR_SITE_DESCRIPTION", "أخبار مستقلة كل صباح"
)
# CLDR region for Arabic month names: EG/SA/AE... say أكتوبر, SY/LB/JO/IQ/PS
# say تشرين الأول.
NASHR_DATE_REGION = os.environ.get("NASHR_DATE_REGION", "EG")
NASHR_DIGITS = os.environ.get("NASHR_DIGITS", "latn")  # "latn" or "arab"
NASHR_SHOW_HIJRI = env_bool("NASHR_SHOW_HIJRI", True)
NASHR_ARTICLES_PER_PAGE = env_int("NASHR_ARTICLES_PER_PAGE", 12)
NASHR_MAX_QUERY_STRING = env_int("NASHR_MAX_QUERY_STRING", 2048)

# --- Newsletter -------------------------------------------------------------
NASHR_NEWSLETTER_FROM_NAME = os.environ.get("NASHR_NEWSLETTER_FROM_NAME", NASHR_SITE_NAME)
NASHR_NEWSLETTER_FROM_EMAIL = os.environ.get("NASHR_NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
#: dotted path of the class that hands messages to the mail system
NASHR_NEWSLETTER_PROVIDER = os.environ.get(
    "NASHR_NEWSLETTER_PROVIDER",
    "nashr.newsletter.providers.SmtpProvider" if os.environ.get("NASHR_EMAIL_HOST")
    else "nashr.newsletter.providers.FileProvider",
)
#: mailbox that receives RFC 8058 "mailto:" unsubscribe requests
NASHR_UNSUBSCRIBE_MAILTO = os.environ.get("NASHR_UNSUBSCRIBE_MAILTO", DEFAULT_FROM_EMAIL)
#: confirmation links expire after this many hours; so do unconfirmed sign-ups
NASHR_CONFIRMATION_MAX_AGE_HOURS = env_int("NASHR_CONFIRMATION_MAX_AGE_HOURS", 72)
# Subscribe-form rate limits (fixed windows in the cache)
NASHR_SUBSCRIBE_LIMIT_PER_IP = env_int("NASHR_SUBSCRIBE_LIMIT_PER_IP", 5)
NASHR_SUBSCRIBE_WINDOW_PER_IP_S = env_int("NASHR_SUBSCRIBE_WINDOW_PER_IP_S", 600)
NASHR_SUBSCRIBE_LIMIT_PER_ADDRESS = env_int("NASHR_SUBSCRIBE_LIMIT_PER_ADDRESS", 3)
NASHR_SUBSCRIBE_WINDOW_PER_ADDRESS_S = env_int("NASHR_SUBSCRIBE_WINDOW_PER_ADDRESS_S", 3600)
#: at most one confirmation email per address in this many hours
NASHR_CONFIRMATION_RESEND_HOURS = env_int("NASHR_CONFIRMATION_RESEND_HOURS", 24)
#: request.META key a reverse proxy sets with the client's address, e.g.
#: "HTTP_X_REAL_IP" or "HTTP_X_FORWARDED_FOR" (its last entry is used)
NASHR_CLIENT_IP_HEADER = os.environ.get("NASHR_CLIENT_IP_HEADER", "")
#: parallel send tasks per issue (run `nashr serve --task-workers N` to use them)
NASHR_NEWSLETTER_SENDERS = env_int("NASHR_NEWSLETTER_SENDERS", 1)
#: SMTP connections (threads) each send task keeps open at once
NASHR_NEWSLETTER_CONNECTIONS = env_int("NASHR_NEWSLETTER_CONNECTIONS", 4)
#: at most this many deliveries per send task are "sending" without a written
#: outcome, so at most this many end "unknown" when a worker dies (docs/newsletter.md)
NASHR_NEWSLETTER_UNKNOWN_MAX = env_int("NASHR_NEWSLETTER_UNKNOWN_MAX", 20)
NASHR_DKIM_SELECTOR = os.environ.get("NASHR_DKIM_SELECTOR", "")
NASHR_DKIM_DOMAIN = os.environ.get("NASHR_DKIM_DOMAIN", "")
NASHR_DKIM_PRIVATE_KEY_FILE = os.environ.get("NASHR_DKIM_PRIVATE_KEY_FILE", "")

# --- Email provider webhooks (django-anymail) -------------------------------
#: "user:password" the email provider sends as HTTP basic auth to
#: /anymail/<esp>/tracking/ (several, comma-separated, while rotating it);
#: unset, the webhook URLs are not served at all
ANYMAIL = {"WEBHOOK_SECRET": env_list("NASHR_ANYMAIL_WEBHOOK_SECRET", [])}
# Any other anymail setting from NASHR_ANYMAIL_<NAME>, e.g.
# NASHR_ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, NASHR_ANYMAIL_POSTMARK_SERVER_TOKEN
ANYMAIL.update({name.removeprefix("NASHR_ANYMAIL_"): value for name, value in os.environ.items()
                if name.startswith("NASHR_ANYMAIL_") and name != "NASHR_ANYMAIL_WEBHOOK_SECRET"})
#: consecutive soft bounces after which an address is suppressed
NASHR_SOFT_BOUNCE_LIMIT = env_int("NASHR_SOFT_BOUNCE_LIMIT", 3)
#: largest subscriber CSV the admin's import page accepts, in MB
NASHR_SUBSCRIBER_IMPORT_MAX_MB = env_int("NASHR_SUBSCRIBER_IMPORT_MAX_MB", 20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("NASHR_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # one line per task run is noise for an operator; failures still show
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# --- Members and the subscriber gate (nashr.members) ---
# Articles older than this many days are for members only (the "full
# archive"); 0 turns the archive gate off.
NASHR_ARCHIVE_GATE_DAYS = env_int("NASHR_ARCHIVE_GATE_DAYS", 0)
# How many body blocks a reader without access sees before the gate.
NASHR_GATE_FREE_BLOCKS = env_int("NASHR_GATE_FREE_BLOCKS", 3)
# Magic-link sign-in (django-sesame): links expire after this many minutes
# and work once (a sign-in changes last_login, which revokes the link).
NASHR_SIGNIN_LINK_MAX_AGE_MINUTES = env_int("NASHR_SIGNIN_LINK_MAX_AGE_MINUTES", 30)
SESAME_MAX_AGE = NASHR_SIGNIN_LINK_MAX_AGE_MINUTES * 60
SESAME_ONE_TIME = True
SESAME_INVALIDATE_ON_EMAIL_CHANGE = True
# Editors sign in with a password (ModelBackend); a magic link is accepted
# only for a member's own user, never an editor's (nashr/members/models.py).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "nashr.members.backends.MemberTokenBackend",
]
# Sign-in requests (fixed windows in the cache, nashr.newsletter.ratelimit)
NASHR_SIGNIN_LIMIT_PER_IP = env_int("NASHR_SIGNIN_LIMIT_PER_IP", 5)
NASHR_SIGNIN_WINDOW_PER_IP_S = env_int("NASHR_SIGNIN_WINDOW_PER_IP_S", 600)
NASHR_SIGNIN_LIMIT_PER_ADDRESS = env_int("NASHR_SIGNIN_LIMIT_PER_ADDRESS", 3)
NASHR_SIGNIN_WINDOW_PER_ADDRESS_S = env_int("NASHR_SIGNIN_WINDOW_PER_ADDRESS_S", 3600)
# The invitation to subscribe on free articles: on/off, after how much of
# the article (percent scrolled), and for how many days "continue reading"
# keeps it away.
NASHR_INVITE_ENABLED = env_bool("NASHR_INVITE_ENABLED", True)
NASHR_INVITE_SCROLL_PERCENT = env_int("NASHR_INVITE_SCROLL_PERCENT", 50)
NASHR_INVITE_DISMISS_DAYS = env_int("NASHR_INVITE_DISMISS_DAYS", 7)

# --- Reader comments (nashr.comments) ---
#: replies nest this many levels deep at most (1 = no replies)
NASHR_COMMENTS_MAX_DEPTH = env_int("NASHR_COMMENTS_MAX_DEPTH", 3)
#: "oldest" or "newest": order of top-level comments under an article
NASHR_COMMENTS_ORDER = os.environ.get("NASHR_COMMENTS_ORDER", "oldest")
#: comments close this many days after an article is published (0 = never)
NASHR_COMMENTS_CLOSE_AFTER_DAYS = env_int("NASHR_COMMENTS_CLOSE_AFTER_DAYS", 0)
#: longest comment, in characters
NASHR_COMMENTS_MAX_LENGTH = env_int("NASHR_COMMENTS_MAX_LENGTH", 5000)
#: more links than this in one comment hold it for moderation
NASHR_COMMENTS_MAX_LINKS = env_int("NASHR_COMMENTS_MAX_LINKS", 2)
#: a form posted sooner than this many seconds after it was shown is refused
NASHR_COMMENTS_MIN_SECONDS = env_int("NASHR_COMMENTS_MIN_SECONDS", 3)
#: comments allowed per client address / per email address per window
NASHR_COMMENTS_LIMIT_PER_IP = env_int("NASHR_COMMENTS_LIMIT_PER_IP", 10)
NASHR_COMMENTS_WINDOW_PER_IP_S = env_int("NASHR_COMMENTS_WINDOW_PER_IP_S", 600)
NASHR_COMMENTS_LIMIT_PER_EMAIL = env_int("NASHR_COMMENTS_LIMIT_PER_EMAIL", 5)
NASHR_COMMENTS_WINDOW_PER_EMAIL_S = env_int("NASHR_COMMENTS_WINDOW_PER_EMAIL_S", 600)
#: comma-separated words, email addresses and IPs whose comments go to spam
#: (editors can add more in the admin)
NASHR_COMMENTS_BLOCKLIST = env_list("NASHR_COMMENTS_BLOCKLIST", [])
#: publish at once the comments of an address that already has an approved
#: comment (0: every comment waits for moderation)
NASHR_COMMENTS_APPROVE_KNOWN = env_bool("NASHR_COMMENTS_APPROVE_KNOWN", True)
#: dotted path of the spam checker class (Akismet-style services plug in here)
NASHR_COMMENTS_SPAM_CHECKER = os.environ.get(
    "NASHR_COMMENTS_SPAM_CHECKER", "nashr.comments.guard.NoopChecker"
)
#: email editors when a comment waits for moderation
NASHR_COMMENTS_NOTIFY_EDITORS = env_bool("NASHR_COMMENTS_NOTIFY_EDITORS", False)
#: hashed IP addresses and user agents are erased after this many days
NASHR_COMMENTS_IP_RETENTION_DAYS = env_int("NASHR_COMMENTS_IP_RETENTION_DAYS", 30)

# --- Search and related articles (nashr.search) ---

# --- WordPress import (nashr.importers) ---
