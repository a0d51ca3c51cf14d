"""Rendered pieces of pages, kept while the data they show is unchanged.

A piece's key is everything it shows (and the language and site root every piece depends on),
so the same key always renders the same HTML: a kept piece is exact by construction, whoever
changes the data and on whichever node, and nothing has to be told to forget it. Use it for
long lists whose rendering (a link, a translated name, a number per row) costs more than
reading their data:

    {% call kept_block('members', group.slug, members_key) %} ...the list... {% endcall %}

The caller's key must hold every value the block shows or links to.
"""

from collections import OrderedDict
from threading import Lock

from flask import request
from flask_babel import get_locale
from markupsafe import Markup

SIZE = 1024  # pieces per worker (an actions list page keeps 100 rows)
SIZE_CHARS = 4_000_000  # and at most this many characters in all

_pieces = OrderedDict()
_chars = 0
_lock = Lock()


def kept(key, render):
    """The HTML kept under `key`, else `render()` kept under it (least recently used out)."""
    global _chars
    with _lock:
        html = _pieces.get(key)
        if html is not None:
            _pieces.move_to_end(key)
            return html
    html = render()
    with _lock:
        if key not in _pieces:
            _pieces[key] = html
            _chars += len(html)
        while len(_pieces) > SIZE or _chars > SIZE_CHARS:
            _chars -= len(_pieces.popitem(last=False)[1])
    return html


def clear():
    global _chars
    with _lock:
        _pieces.clear()
        _chars = 0


def kept_block(*key, caller):
    """Jinja: `{% call kept_block(*key) %}` renders its body only when nothing is kept under
    the key (plus the language and the site root)."""
    return kept(("block", str(get_locale()), request.script_root, *key),
                lambda: Markup(caller()))


def register(app):
    app.jinja_env.globals["kept_block"] = kept_block


class Shelf:
    """A few computed values (not HTML) kept per worker, least recently used out: for results
    kept under change stamps (wg/stamps.py), whose key says when they are still exact. A value
    that also depends on the time is put with the instants it holds for: since <= at < until.
    """

    def __init__(self, size):
        self.size = size
        self._values = OrderedDict()
        self._lock = Lock()

    def get(self, key, at=None):
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            value, since, until = found
            if at is not None and ((since is not None and at < since)
                                   or (until is not None and at >= until)):
                return None
            self._values.move_to_end(key)
            return value

    def put(self, key, value, since=None, until=None):
        with self._lock:
            self._values[key] = (value, since, until)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self):
        with self._lock:
            self._values.clear()
