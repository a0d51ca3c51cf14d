"""Languages: which one a request speaks, and the locale-aware helpers pages and mails share.

One mechanism for every string: Flask-Babel's gettext. The person's chosen language wins; before
login (or for a person who never chose) the browser's Accept-Language; then English. A language
picked with the switcher is kept in the session so the login page speaks it too.
"""

from contextlib import contextmanager

from babel import Locale
from flask import has_request_context, request, session
from flask_babel import force_locale, get_locale
from flask_login import current_user

# The six official UN languages, each named in its own script (the switcher shows these).
LANGUAGES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "ru": "Русский",
    "zh": "中文",
}
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = {"ar"}
# The CLDR locale behind each language: English dates as written across the coalition
# ("1 May 2025", 24-hour clock) rather than the United States' "May 1, 2025".
BABEL_LOCALES = {"en": "en_GB"}


def babel_code(language_code):
    return BABEL_LOCALES.get(language_code, language_code)


def select_locale():
    return babel_code(request_language())


def request_language():
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated:
        language = getattr(current_user, "language", None)
        if language in LANGUAGES:
            return language
    language = session.get("language")
    if language in LANGUAGES:
        return language
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE)


def select_timezone():
    if has_request_context() and current_user and current_user.is_authenticated:
        return getattr(current_user, "timezone", None) or "UTC"
    return "UTC"


def current_language():
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def text_direction(language=None):
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"


@contextmanager
def language(code):
    """Render in a person's language (mails, .ics): `with language(person.language): ...`."""
    with force_locale(babel_code(code if code in LANGUAGES else DEFAULT_LANGUAGE)):
        yield


def babel_locale(language_code=None):
    return Locale.parse(language_code or current_language())
