"""Every page a member, chair, lead or coordinator reaches, in each of the six languages, in Chromium.

For each language and role: the person's language is set to it (each role logs in once, in the
first language; the browser asks for another language, so only the person's setting can make the
page right) and the pages are crawled from the home page: same-origin GET links, two clicks
deep, one page per kind of URL (/actions/12 and /actions/57?owner=3 are one kind), at most
MAX_PAGES; the pages two clicks away only when no role before has checked their kind in this
language. English, the source, is crawled one click deep for lang and dir. On each page:

- `<html lang>` is the language and `dir` is rtl for Arabic only;
- no English string of the code is left: a visible text (or title, aria-label, placeholder, alt,
  button value, the page title) that equals an extracted msgid whose translation in this language
  differs from it, or that reads as a msgid with placeholders filled in ("Due 1 May 2026").
  User content and names are left out: elements with dir="auto", translate="no", a lang of their
  own, <code>, <bdi>, <pre>;
- Arabic is crawled at phone width (390 px; the other languages at 1280 px), where no page may
  scroll sideways;
- the page answers 200.

The login and forgot-password pages are checked in each language as the browser's
Accept-Language asks for it. Problems are listed page by page.
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import update

from tests.i18n.catalogs import PLACEHOLDER, catalog, po_path
from wg.auth.models import Person
from wg.extensions import db
from wg.i18n import LANGUAGES, RTL_LANGUAGES

pytestmark = [pytest.mark.slow, pytest.mark.once]

# The demo's people in each role, and where their crawl starts: the home page, and for the chair
# their own sub-group first (its meetings, with the forms only a chair gets).
ROLES = {
    "member": ("member@example.org", ["/"]),
    "chair": ("chair@example.org", ["/groups/swg1-1", "/"]),
    "lead": ("lead@example.org", ["/"]),
    "coordinator": ("coordinator@example.org", ["/"]),
}
DEMO_PASSWORD = "coalition-demo"
MAX_PAGES = 16  # per role and language
DEPTH = 2
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Links the crawl never follows: they log out, download, subscribe, or are the JSON API.
SKIP = re.compile(r"/logout|\.csv\b|\.ics\b|/feed|/api/|/static/|/language\b|/healthz|"
                  r"[?&](format|download)=|/print\b|/set-password/|mailto:|tel:")

# What the page shows people, gathered in one pass: text nodes and attributes, the page title.
COLLECT = """() => {
  const skip = '[dir=auto],[translate=no],code,bdi,pre,kbd,samp,script,style,noscript,template';
  const html = document.documentElement, pageLang = html.lang;
  const foreign = el => {
    const owner = el.closest('[lang]');
    return owner && owner !== html && owner.lang.split('-')[0] !== pageLang;
  };
  const shown = el => el.checkVisibility() || el.closest('details,select,dialog,.dropdown-menu');
  const norm = s => s.replace(/\\s+/g, ' ').trim();
  // Where a text sits, for the report: its element and two ancestors ("td.small < tr < tbody").
  const where = el => {
    const path = [];
    for (let e = el; e && e !== document.body && path.length < 3; e = e.parentElement)
      path.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + [...e.classList].slice(0, 2).map(c => '.' + c).join(''));
    return path.join(' < ');
  };
  const texts = {};
  const add = (t, el, how) => { if (t && !(t in texts)) texts[t] = how + where(el); };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el && !el.closest(skip) && !foreign(el) && shown(el)) add(norm(n.nodeValue), el, '');
  }
  const attrs = ['title', 'aria-label', 'placeholder', 'alt'];
  for (const el of document.querySelectorAll('[title],[aria-label],[placeholder],[alt],input[value]')) {
    if (el.closest(skip) || foreign(el)) continue;
    for (const a of attrs) { const v = el.getAttribute(a); if (v) add(norm(v), el, a + '= of '); }
    if (el.matches('input[type=submit],input[type=button]')) add(norm(el.value), el, 'value= of ');
  }
  // The page title repeats user text (a meeting's title) that cannot be marked there: skip the
  // parts that the page shows as user text.
  const user = [...document.querySelectorAll('[dir=auto],[translate=no],bdi')].map(e => norm(e.textContent));
  for (const part of document.title.split(' · ').map(norm))
    if (!user.some(u => u.includes(part))) add(part, document.head, '<title> ');
  const links = [...document.querySelectorAll('a[href]')]
    .filter(a => !a.hasAttribute('download')).map(a => a.href);
  return {lang: html.getAttribute('lang'), dir: html.getAttribute('dir'), texts, links};
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
LETTER = re.compile(r"[^\W\d_]")
# English words that are no word of French or Spanish: two of them in a text outside user content
# are English the catalog cannot know about (a string nobody wrapped, or user text left unmarked).
ENGLISH_WORDS = re.compile(
    r"\b(the|and|with|this|that|your|are|was|were|have|not|for|from|will|been|which|their|"
    r"there|when|what|who|would|should|could|into|than|then|they|these|those|only|also|each|"
    r"every|other|does|don't|can't|isn't|you|yet|any|of|is|to|by|it|its|be|at|in|out|ones)\b")


class EnglishLeft:
    """Finds English msgids left untranslated, for one language's catalog."""

    def __init__(self, template, language):
        po = catalog(language)
        if po is None:
            pytest.fail(f"{language}: no catalog {po_path(language)}; see test_catalogs.py",
                        pytrace=False)
        translated = set()  # every translation: a text equal to one of these is fine
        for message in po:
            forms = message.string if isinstance(message.string, tuple | list) else [message.string]
            if message.id and not message.fuzzy:
                translated.update(_norm(f) for f in forms if f)
        self.exact, patterns = {}, []
        for message in template:
            if not message.id:
                continue
            for msgid in (message.id if isinstance(message.id, tuple | list) else [message.id]):
                text = _norm(msgid)
                if text in translated:
                    continue  # translated as itself here ("Participants" in French)
                parts = PLACEHOLDER.split(text)
                if not any(m.group("name") is not None or m.group("kind") not in (None, "%")
                           for m in PLACEHOLDER.finditer(text)):
                    literal = text.replace("%%", "%")
                    if len(LETTER.findall(literal)) >= 3:
                        self.exact[literal] = msgid
                    continue
                # Enough words of its own not to match any user text ("%(group)s meeting" would
                # match a meeting called "Working group meeting").
                literals = " ".join(parts[::4])  # split() puts 3 groups between the parts
                if len(re.findall(r"[^\W\d_]{2,}", literals)) >= 2:
                    patterns.append((_pattern(text), msgid))
        self.patterns = patterns
        self.any_pattern = re.compile("|".join(f"(?:{p.pattern})" for p, _ in patterns) or "(?!)")
        self.cache = {}

    def __call__(self, text):
        if text not in self.cache:
            self.cache[text] = self._find(text)
        return self.cache[text]

    def _find(self, text):
        for candidate in (text, text.strip(" :;,.*…()[]·—–-")):
            if candidate in self.exact:
                return self.exact[candidate]
        if self.any_pattern.fullmatch(text):
            return next(msgid for pattern, msgid in self.patterns if pattern.fullmatch(text))
        return None


def _without_user_text(text):
    """The text with what people wrote taken out ("Month-end figures, <a group's title>"), also
    where it is cut short ("SWG1.1 — Populations in contact with the crim…")."""
    for user in sorted((u for u in USER_TEXTS if u in text), key=len, reverse=True):
        text = text.replace(user, " ")
    parts = re.split(r"( — | · |: )", text)
    return "".join(part for part in parts if not (
        len(part.rstrip("….")) >= 12
        and any(u.startswith(part.rstrip("….").rstrip()) for u in USER_TEXTS)))


def _norm(text):
    return " ".join(text.split())


def _pattern(msgid):
    """A regular expression that matches the msgid with any values in its placeholders."""
    out, last = [], 0
    for m in PLACEHOLDER.finditer(msgid):
        out.append(re.escape(msgid[last:m.start()]))
        out.append("%" if m.group("kind") == "%" else ".+?")
        last = m.end()
    out.append(re.escape(msgid[last:]))
    return re.compile("".join(out), re.S)


def _shape(url):
    """One kind of page per shape: ids, codes and slugs with digits become '#'."""
    parts = urlsplit(url)
    path = "/".join("#" if re.search(r"\d", seg) or re.fullmatch(r"[A-Z]{2,}", seg) else seg
                    for seg in parts.path.split("/"))
    return path  # /actions/?owner=4 and /actions/?stale=1 are one page with filters


@pytest.fixture(scope="module")
def demo_site(app, live_server):
    """The demo coalition (small scale: meetings, minutes, actions) behind one live server."""
    from tests.conftest import empty_tables

    result = app.test_cli_runner().invoke(args=["wg", "demo", "--scale", "0.02"])
    assert result.exit_code == 0, result.output
    USER_TEXTS.update(_user_texts(app))
    yield live_server
    USER_TEXTS.clear()
    with app.app_context():
        empty_tables()


USER_TEXTS = set()  # what people wrote (titles, names, notes...), shown as written in any language


def _user_texts(app):
    """Every text people entered, from the database: a page shows them as written, so a text
    equal to one is no English left over even where it is not marked (an <option>, a title)."""
    import json

    from sqlalchemy import select

    from wg.actions.models import ActionItem, ProgressLog
    from wg.groups.models import Group
    from wg.history.models import HistoryEntry
    from wg.meetings.models import AgendaItem, Decision, Meeting, MeetingSeries

    columns = [ActionItem.title, ActionItem.description, ProgressLog.note, Group.title,
               Group.description, MeetingSeries.title, MeetingSeries.place, Meeting.title,
               Meeting.place, Meeting.cancel_reason, AgendaItem.title, AgendaItem.presenter,
               AgendaItem.notes, Decision.text, Person.name, HistoryEntry.object_label]
    found = set()

    def add(value):
        if isinstance(value, str):
            found.update(_norm(line) for line in [value, *value.splitlines()] if len(line) > 2)
        elif isinstance(value, dict | list):
            for item in value.values() if isinstance(value, dict) else value:
                add(item)

    with app.app_context():
        for column in columns:
            for value in db.session.scalars(select(column).distinct()):
                add(value)
        for changes in db.session.scalars(select(HistoryEntry.changes).distinct()):
            add(json.loads(changes or "{}"))
    return found


def _set_language(app, emails, language):
    with app.app_context():
        db.session.execute(update(Person).where(Person.email.in_(emails)).values(language=language))
        db.session.commit()


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("main input[name=email]", email)
    page.fill("main input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert "/login" not in page.url, f"{email} could not log in"


def _check_page(page, base, url, language, english_left):
    """Visit one page; return its problems and the same-origin links to follow."""
    problems = []
    response = page.goto(url, wait_until="domcontentloaded")
    if response is None or response.status != 200:
        return [f"answered HTTP {response.status if response else '?'}"], []
    info = page.evaluate(COLLECT)
    if info["lang"] != language:
        problems.append(f'<html lang="{info["lang"]}">, expected "{language}"')
    expected_dir = "rtl" if language in RTL_LANGUAGES else "ltr"
    if (info["dir"] or "ltr") != expected_dir:
        problems.append(f'<html dir="{info["dir"]}">, expected "{expected_dir}"')
    texts = info["texts"]
    if language in RTL_LANGUAGES:  # crawled at phone width
        overflow = page.evaluate(OVERFLOW)
        if overflow > 1:
            problems.append(f"scrolls sideways at {PHONE['width']} px by {overflow} px")
    if english_left:
        for text, place in sorted(texts.items()):
            if text in USER_TEXTS or text.strip(" :;,.*…()[]·—–-") in USER_TEXTS:
                continue
            msgid = english_left(text)
            if msgid:
                problems.append(f"English left: {text!r}" + (
                    f" (msgid {msgid!r})" if msgid != text else "") + f" in {place}")
            elif len(set(ENGLISH_WORDS.findall(_without_user_text(text).lower()))) >= 2:
                problems.append(f"English sentence, not from the catalog (not wrapped? user text "
                                f"without dir=auto?): {text[:120]!r} in {place}")
    origin = urlsplit(base).netloc
    links = [link.split("#")[0] for link in info["links"]
             if urlsplit(link).netloc == origin and not SKIP.search(link)]
    return problems, links


def _crawl(page, base, starts, language, english_left, checked, limit=MAX_PAGES, depth_limit=DEPTH):
    """Breadth first from the `starts`, DEPTH clicks deep, one page per URL shape; {path: problems}.

    The start pages and the pages they link to (the navigation, the home page's own links) are
    checked for every role; a page two clicks away only when no role before has checked a page
    of its shape in this language (`checked`), so each role adds the pages only it reaches (a
    chair's meeting forms, a coordinator's admin pages) and the whole run stays within minutes.
    """
    found, mine = {}, set()
    queue = deque((urljoin(base, start), 0) for start in starts)
    while queue and len(found) < limit:
        url, depth = queue.popleft()
        shape = _shape(url)
        if shape in mine or (depth == DEPTH and shape in checked) or depth > depth_limit:
            continue
        mine.add(shape)
        checked.add(shape)
        problems, links = _check_page(page, base, url, language, english_left)
        found[url.removeprefix(base)] = problems
        if depth < depth_limit:
            queue.extend((link, depth + 1) for link in links if _shape(link) not in mine)
    return found


def _report(language, who, pages):
    bad = {path: problems for path, problems in pages.items() if problems}
    lines = [f"{language} · {who}: {len(bad)} of {len(pages)} pages with problems"]
    for path, problems in bad.items():
        lines.append(f"  {path}")
        lines += [f"    - {p}" for p in problems[:25]]
        if len(problems) > 25:
            lines.append(f"    ... and {len(problems) - 25} more")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def english_left(template):
    """One EnglishLeft per language, built when first asked for."""
    made = {}

    def get(language):
        if language not in made:
            made[language] = EnglishLeft(template, language) if language != "en" else None
        return made[language]

    return get


@pytest.fixture(scope="module")
def signed_in(browser, demo_site):
    """One logged-in browser page per role, kept for every language (logging in is the slow part):
    signed_in(role) logs in on first use."""
    pages = {}

    def get(role):
        if role not in pages:
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            page.set_default_timeout(15000)
            _log_in(page, demo_site, ROLES[role][0])
            pages[role] = page
        return pages[role]

    yield get
    for page in pages.values():
        page.context.close()


@pytest.mark.parametrize("language", [
    language if language == "en" else pytest.param(language, marks=pytest.mark.needs_catalogs)
    for language in LANGUAGES])
def test_every_page_speaks_the_language(language, app, demo_site, browser, english_left,
                                        signed_in):
    finder = english_left(language)
    failures, visited = [], 0

    # Arabic at phone width (no sideways scroll), the others at desktop width.
    viewport = PHONE if language in RTL_LANGUAGES else DESKTOP

    # Before login, the browser's language decides.
    context = browser.new_context(viewport=viewport, locale=language)
    page = context.new_page()
    page.set_default_timeout(15000)
    checked = set()
    pages = _crawl(page, demo_site, ["/login"], language, finder, checked, limit=3)
    context.close()
    visited += len(pages)
    if any(pages.values()):
        failures.append(_report(language, "not logged in", pages))

    # Logged in, the person's setting decides: the browser asks for another language.
    _set_language(app, [email for email, _ in ROLES.values()], language)
    for role, (_, starts) in ROLES.items():
        page = signed_in(role)
        page.set_viewport_size(viewport)
        page.context.set_extra_http_headers({"Accept-Language": "fr" if language == "en" else "en"})
        if language == "en":  # the source language: only lang and dir to check, on fewer pages
            pages = _crawl(page, demo_site, starts, language, None, checked, 10, depth_limit=1)
        else:
            pages = _crawl(page, demo_site, starts, language, finder, checked)
        visited += len(pages)
        print(f"{language} · {role}: {' '.join(pages)}")
        assert len(pages) >= 5, f"{role}: the crawl reached only {list(pages)}"
        if any(pages.values()):
            failures.append(_report(language, role, pages))
    print(f"{language}: {visited} pages checked")
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


# Screenshots for docs/screenshots/: the coalition dashboard in Arabic and a meeting in Chinese, at
# desktop and phone width. They are written to a temporary folder, and to SCREENSHOTS_DIR when set:
#   SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest tests/i18n -k screenshots
SHOTS = [
    ("dashboard-ar", "ar", "coordinator", "/rollups/", "Arabic"),
    ("meeting-zh", "zh", "chair", None, "CJK"),  # None: SWG1.1's last meeting with minutes
]


def _last_meeting_with_minutes(app):
    from sqlalchemy import select

    from wg.groups.models import Group
    from wg.meetings.models import Meeting

    with app.app_context():
        return db.session.scalar(
            select(Meeting.id).join(Group, Group.id == Meeting.group_id)
            .where(Group.code == "SWG1.1", Meeting.minutes_html != "")
            .order_by(Meeting.start_at.desc()).limit(1))


def _fonts_drawing(page, selector):
    """The fonts Chromium really drew `selector`'s text with: {family name: glyph count}."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no {selector} on {page.url}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {f["familyName"]: f["glyphCount"] for f in fonts}
    finally:
        cdp.detach()


@pytest.mark.needs_catalogs
@pytest.mark.parametrize("name, language, role, path, script", SHOTS)
def test_screenshots(name, language, role, path, script, app, demo_site, browser, tmp_path):
    import os

    path = path or f"/meetings/{_last_meeting_with_minutes(app)}"
    _set_language(app, [ROLES[role][0]], language)
    out = [tmp_path] + ([os.environ["SCREENSHOTS_DIR"]] if os.environ.get("SCREENSHOTS_DIR") else [])
    for suffix, viewport in (("", DESKTOP), ("-phone", PHONE)):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        _log_in(page, demo_site, ROLES[role][0])
        response = page.goto(demo_site + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.lang") == language
        # Real glyphs, not empty boxes: the app's translated name is drawn by a font made for
        # its script (Noto Sans Arabic, Noto Sans CJK SC on Debian).
        fonts = _fonts_drawing(page, ".navbar-brand")
        assert any(script in family and count for family, count in fonts.items()), (
            f"{name}: the app's name is drawn with {fonts}, no {script} font: install Debian's "
            "fonts-noto-core and fonts-noto-cjk (`make chromium` does)")
        for folder in out:
            page.screenshot(path=os.path.join(folder, f"{name}{suffix}.png"))
        assert os.path.getsize(tmp_path / f"{name}{suffix}.png") > 10_000
        context.close()
