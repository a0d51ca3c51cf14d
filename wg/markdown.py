"""Minutes Markdown: a bounded, linear-time renderer and checker.

Python-Markdown needs quadratic time on some inputs (20 KB of "[" pinned a worker for over a
minute), so minutes go through markdown-it-py (CommonMark, linear) and every check walks its token
stream once. Input is bounded by MAX_LENGTH before any parsing, so the worst case is about one
second per 100,000 characters and a larger text is refused at once.
"""

import threading

from wg.errors import ValidationError

MAX_LENGTH = 100_000

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4",
                "h5", "h6", "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr",
                "th", "td", "del", "s"}

_local = threading.local()


def _parser():
    parser = getattr(_local, "parser", None)
    if parser is None:
        # Imported here: only writes parse Markdown (pages show the stored HTML), so a worker
        # that only reads does not load markdown-it and nh3 (~2.5 MB).
        from markdown_it import MarkdownIt

        # html=True only so that raw HTML is *recognised* (as html_block/html_inline tokens) for
        # the check; the rendered HTML is always sanitized by nh3 afterwards.
        parser = _local.parser = MarkdownIt("commonmark", {"html": True}).enable(
            ["table", "strikethrough"])
        # Keep every link as a link: nh3 below drops hrefs outside http/https/mailto (so a
        # javascript: link becomes plain link text instead of literal Markdown).
        parser.validateLink = lambda url: True
    return parser


def _tokens(text):
    """Parse once per text and thread: check_minutes then render_markdown reuse the tokens."""
    cached = getattr(_local, "last", None)
    if cached is not None and cached[0] == text:
        return cached[1]
    tokens = _parser().parse(text)
    _local.last = (text, tokens)
    return tokens


def _walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def check_length(text, field="minutes", limit=MAX_LENGTH):
    if len(text or "") > limit:
        raise ValidationError({field: f"The text is too long ({limit:,} characters at most)."})


def has_html(text):
    """True when the Markdown contains raw HTML outside code (one linear pass over tokens)."""
    return any(t.type in ("html_block", "html_inline") for t in _walk(_tokens(text or "")))


def render(text, limit=MAX_LENGTH):
    """Markdown to HTML, sanitized with nh3 (no scripts, styles, event handlers or raw HTML).

    Text over the limit is not parsed at all (shown escaped, as preformatted text).
    """
    import nh3

    text = text or ""
    if len(text) > limit:
        return "<pre>" + nh3.clean_text(text[:limit]) + "</pre>"
    parser = _parser()
    html = parser.renderer.render(_tokens(text), parser.options, {})
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def check(text, field="minutes", limit=MAX_LENGTH):
    """Refuse over-long text and raw HTML, before any rendering; linear time."""
    check_length(text, field, limit)
    if has_html(text):
        raise ValidationError({field: (
            "Minutes are written in Markdown; HTML tags (such as <script>) are not allowed. "
            "Remove them, or put them between `backticks` to show them as text.")})


_BLOCK_ENDS = {"paragraph_close", "heading_close", "list_item_close", "blockquote_close",
               "th_close", "td_close", "tr_close", "code_block", "fence", "hr"}


def plain_text(text, limit=MAX_LENGTH):
    """The words of the Markdown without its marks ("**Joint** [list](https://x)" -> "Joint
    list"), on one line: what search indexes and quotes. One linear pass over the tokens; raw
    HTML is left out; text over the limit is returned as it is."""
    text = text or ""
    if len(text) > limit:
        return text
    out = []
    for token in _walk(_tokens(text)):
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type in ("code_block", "fence"):
            out.append(token.content)
        if token.type in _BLOCK_ENDS:
            out.append("\n")
    return " ".join("".join(out).split())
