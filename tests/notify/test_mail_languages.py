"""Every e-mail kind, for a recipient in each of the six languages, through a real SMTP server.

For each language a recipient and an English-speaking twin (same group, roles and time zone)
receive every kind of mail. The recipient's mail must carry its dates in the recipient's
language and zone (Babel's own formatting as the oracle), and for the other five languages none
of the English template's words may survive (user content removed from both sides first): the
subject, the text body, the HTML body and the .ics description are compared with the twin's.

The wording checks need the translation catalogs (wg/translations): until they are compiled the
non-English cases fail on them, hence the `needs_catalogs` marker. The English case passes now.
"""

import html as html_lib
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_interval, format_skeleton
from icalendar import Calendar

from tests import factories
from tests.meetings.helpers import make_series, meeting_input, series_input
from tests.notify.test_services import settings as smtp_settings
from tests.smtp import smtp_server  # noqa: F401  (fixture)
from wg.actions import services as actions
from wg.auth import services as auth
from wg.auth.services import PASSWORD_LINK_PLACEHOLDER
from wg.extensions import db
from wg.groups.models import Role
from wg.i18n import babel_code
from wg.meetings import services as meetings
from wg.notify import reminders
from wg.notify import services as notify

pytestmark = pytest.mark.needs_catalogs

BASE = "https://tracker.example.org"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# The recipient's zone per language: each puts the meeting at another hour, some on another day.
ZONES = {"en": "Pacific/Auckland", "fr": "Europe/Paris", "es": "America/Mexico_City",
         "ar": "Asia/Riyadh", "ru": "Europe/Moscow", "zh": "Asia/Shanghai"}
KINDS = ("meeting-new", "agenda-published", "meeting-changed", "meeting-cancelled",
         "series-changed", "meeting-reminder", "update-request", "pre-read", "minutes-nudge",
         "overdue-digest", "welcome", "password-reset")
# English words a translation may keep as they are.
SAME_IN_TRANSLATION = {"Video", "video"}


def produce_every_mail(language, smtp):
    """Make every kind of mail for a recipient speaking `language` (None: never chose) and an
    English twin; deliver them to `smtp`. Returns (mails, facts): mails[kind][role] is a dict
    of the parts, facts the objects the checks need."""
    zone = ZONES.get(language or "en")
    c = factories.coalition()
    group, chair = c["groups"]["SWG1.1"], c["people"]["chair"]
    people = {"target": factories.person("Rana Recipient", "target@example.org", "FRA",
                                         language=language, timezone=zone),
              "twin": factories.person("Tom Twin", "twin@example.org", "GBR", language="en",
                                       timezone=zone)}
    for person in people.values():
        factories.membership(person, group, Role.chair)
    db.session.commit()

    # Meeting notices: new, agenda published, changed; another meeting new and cancelled.
    meeting = meetings.add_extra_meeting(group, chair, meeting_input(
        title="April meeting", day=date(2026, 4, 20), start_time=time(15, 0),
        timezone="Europe/Vienna", duration_minutes=90, place="Vienna International Centre",
        video_url="https://video.example.org/swg11"), T0)
    meetings.add_agenda_item(meeting, chair, meetings.AgendaInput(
        title="Tour de table", presenter="Cha Chair", minutes_allotted=20), T0)
    meetings.publish_agenda(meeting, chair, T0)
    meetings.reschedule_meeting(meeting, chair, replace(meetings.meeting_input(meeting),
                                                        place="Room M3"), T0)
    extra = meetings.add_extra_meeting(group, chair, meeting_input(
        title="Extra session", day=date(2026, 4, 27), start_time=time(15, 0),
        timezone="Europe/Vienna"), T0)
    meetings.cancel_meeting(extra, chair, "No quorum", T0)
    # A series whose rule changes: one mail for all the meetings it moved.
    series = make_series(group, chair, T0)
    db.session.commit()
    meetings.update_series(series, chair, series_input(week=3), T0)
    db.session.commit()

    # Actions: each person owns one, overdue, with progress logged since the last meeting.
    owned = {}
    for role, person in people.items():
        a = factories.action(group, f"Map precursor routes ({person.name})", owner=person,
                             due_date=date(2026, 3, 31), actor=chair, now=T0)
        actions.record_progress(a, chair, "in_progress", 40, "halfway there", a.version,
                                datetime(2026, 4, 10, 8, 0, tzinfo=UTC))
        owned[role] = a
    db.session.commit()

    start = meeting.start_at
    reminders.queue_meeting_reminders(start - timedelta(hours=24), BASE)
    reminders.queue_update_requests(start - timedelta(days=4), BASE)
    reminders.queue_pre_reads(start - timedelta(hours=47), BASE)
    reminders.queue_minutes_nudges(start + timedelta(days=3, hours=1), BASE)
    reminders.queue_overdue_digests(datetime(2026, 4, 13, 6, 0, tzinfo=UTC), BASE)
    for person in people.values():
        auth.send_password_link(person, now=T0, base_url=BASE, welcome=True)
        auth.send_password_link(person, now=T0 + timedelta(seconds=1), base_url=BASE)
    db.session.commit()

    late = datetime(2026, 6, 1, tzinfo=UTC)
    counts = notify.deliver_outbox(now=late, settings=smtp_settings(smtp.port))
    assert counts["failed"] == 0 and counts["retry"] == 0

    object_of = {"meeting-new": meeting.id, "agenda-published": meeting.id,
                 "meeting-changed": meeting.id, "meeting-cancelled": extra.id,
                 "series-changed": series.id, "meeting-reminder": meeting.id,
                 "update-request": meeting.id, "pre-read": meeting.id,
                 "minutes-nudge": meeting.id}
    role_of = {p.email: role for role, p in people.items()}
    mails = {}
    for msg in smtp.messages:
        role = role_of.get(msg["To"])
        key = msg["X-WG-Key"].split(":")
        kind = key[0]
        if role is None or kind not in KINDS:
            continue
        numbers = [int(k) for k in key[1:] if k.isdigit()]
        if kind in object_of and (not numbers or numbers[0] != object_of[kind]):
            continue  # another meeting's mail (the series' own meetings)
        assert role not in mails.get(kind, {}), f"two {kind} mails for the {role}"
        mails.setdefault(kind, {})[role] = message_parts(msg)
    user_content = [p.name for p in db.session.scalars(db.select(type(chair)))]
    user_content += [p.email for p in db.session.scalars(db.select(type(chair)))]
    user_content += [group.code, group.title, meeting.title, extra.title, series.title,
                     "Vienna International Centre", "Room M3", "Tour de table", "No quorum",
                     "halfway there", PASSWORD_LINK_PLACEHOLDER, "Europe/Vienna"]
    user_content += [a.title for a in owned.values()]
    facts = dict(zone=zone, meeting=meeting, extra=extra, series=series,
                 user_content=user_content,
                 changed=[m for m in meetings_of(series) if m.start_at > T0])
    return mails, facts


def meetings_of(series):
    from wg.meetings.models import Meeting

    return list(db.session.scalars(db.select(Meeting).where(Meeting.series_id == series.id)
                                   .order_by(Meeting.start_at)))


def message_parts(msg):
    parts = {"subject": str(make_header(decode_header(msg["Subject"]))), "text": None,
             "html": None, "ics": []}
    for part in msg.walk():
        ctype = part.get_content_type()
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        if ctype == "text/calendar":
            cal = Calendar.from_ical(payload)
            parts["ics"] += [str(e["DESCRIPTION"]) for e in cal.walk("VEVENT")]
        elif ctype == "text/plain" and parts["text"] is None:
            parts["text"] = payload
        elif ctype == "text/html" and parts["html"] is None:
            parts["html"] = payload
    return parts


def visible_text(html):
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def template_words(text, user_content):
    """Words of four letters or more left once user content, links and codes are taken out."""
    for value in sorted(user_content, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\b[A-Z0-9.+]{2,6}\b", " ", text)  # zone abbreviations, codes
    return set(re.findall(r"[A-Za-z]{4,}", text))


def word_runs(text, user_content, n=3):
    """Runs of n consecutive words once user content, links and codes are taken out."""
    for value in sorted(user_content, key=len, reverse=True):
        text = text.replace(value, " | ")
    text = re.sub(r"https?://\S+", " | ", text)
    text = re.sub(r"\b[A-Z0-9.+]{2,6}\b", " | ", text)
    runs = set()
    for chunk in re.split(r"[|\n.:;,()·—–\-\"“”]", text):
        words = [w for w in re.findall(r"[A-Za-z]+", chunk) if w not in SAME_IN_TRANSLATION]
        runs.update(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    return runs


def texts(parts):
    """What a reader sees in each part of a mail."""
    return {"subject": parts["subject"], "text": parts["text"] or "",
            "html": visible_text(parts["html"] or ""), "ics": "\n".join(parts["ics"])}


def check_dates(kind, parts, facts, language):
    """Dates (and times where the mail gives them) in the recipient's language and zone."""
    loc = babel_code(language or "en")
    zone = ZoneInfo(facts["zone"])
    meeting = facts["extra"] if kind == "meeting-cancelled" else facts["meeting"]
    local = meeting.start_at.astimezone(zone)
    body, subject = parts["text"], parts["subject"]
    if kind in ("welcome", "password-reset"):
        return
    if kind == "overdue-digest":
        assert format_skeleton("yMMMd", date(2026, 3, 31), locale=loc) in body
        return
    if kind == "series-changed":
        for m in facts["changed"]:
            there = m.start_at.astimezone(zone)
            assert format_skeleton("yMMMEd", there, locale=loc) in body, there
            assert f"{format_skeleton('Hm', there, locale=loc)} {there.tzname()}" in body
        return
    assert format_skeleton("MMMd", local, locale=loc) in subject, subject
    if kind in ("meeting-new", "agenda-published", "meeting-changed", "meeting-reminder",
                "pre-read"):
        end = (meeting.start_at + timedelta(minutes=meeting.duration_minutes)).astimezone(zone)
        assert format_skeleton("yMMMEd", local, locale=loc) in body
        # The language's own range ("7:00–8:30", "16:00—17:30"); no zone abbreviation ("CST"
        # is three zones): the reader's own time, then the anchor city with its UTC offset.
        assert format_interval(local, end, "Hm", locale=loc) in body
        assert format_interval(local, end, "Hm", locale=loc) + " " + local.tzname() not in body
    else:
        assert format_skeleton("yMMMd", local, locale=loc) in body


def ctx_base_url():
    from flask import current_app

    return current_app.config["BASE_URL"]


@pytest.fixture()
def world(ctx, smtp_server):  # noqa: F811
    return smtp_server


def test_english_and_unset_language_mails(world):
    """A person who never chose a language gets the English mails, dates in their zone."""
    mails, facts = produce_every_mail(None, world)
    assert sorted(mails) == sorted(KINDS)
    for kind in KINDS:
        target, twin = texts(mails[kind]["target"]), texts(mails[kind]["twin"])
        for part in ("subject", "text", "html", "ics"):
            assert template_words(target[part], facts["user_content"]) == template_words(
                twin[part], facts["user_content"]), (kind, part)
        check_dates(kind, mails[kind]["target"], facts, None)
        if mails[kind]["target"]["html"]:
            assert '<html lang="en" dir="ltr">' in mails[kind]["target"]["html"]
    # English wording as it was (Auckland: the meeting of 27 April, 15:00 Vienna, is on the 28th).
    assert mails["meeting-cancelled"]["target"]["subject"] == "Cancelled: SWG1.1 meeting on 28 Apr"
    assert ("The SWG1.1 meeting \u201cExtra session\u201d on 28 Apr 2026 is cancelled."
            in mails["meeting-cancelled"]["target"]["text"])
    assert "Reason: No quorum" in mails["meeting-cancelled"]["target"]["text"]
    reminder = mails["meeting-reminder"]["target"]
    assert reminder["subject"] == "Reminder: SWG1.1 meeting on 21 Apr"
    # The reader's range, then the anchor zone's (another day there), by city and UTC offset.
    assert ("When: Tue, 21 Apr 2026, 01:00\u201302:30 (your time) \u00b7 "
            "Mon 20 Apr, 15:00\u201316:30 in Vienna (\u2066UTC+02:00\u2069)") in reminder["text"]
    assert "1. Tour de table (Cha Chair), 20 min" in reminder["text"]
    assert mails["welcome"]["target"]["subject"] == "Welcome to the coalition tracker"
    assert mails["password-reset"]["target"]["subject"] == "Reset your password"
    assert "Dear Rana Recipient," in mails["welcome"]["target"]["text"]
    assert f"Meeting page: {ctx_base_url()}/meetings/{facts['meeting'].id}" in mails[
        "meeting-changed"]["target"]["ics"][0]
    digest = mails["overdue-digest"]["target"]
    assert digest["subject"] == "Overdue actions: 2"
    assert "Map precursor routes (Rana Recipient) (due 31 Mar 2026, 40%, Rana Recipient)" in digest[
        "text"]


@pytest.mark.parametrize("language", ["fr", "es", "ar", "ru", "zh"])
def test_every_mail_in_the_recipients_language(world, language):
    mails, facts = produce_every_mail(language, world)
    assert sorted(mails) == sorted(KINDS)
    # Dates and the page's language and direction need no catalog: checked first.
    for kind in KINDS:
        check_dates(kind, mails[kind]["target"], facts, language)
        if mails[kind]["target"]["html"]:
            direction = "rtl" if language == "ar" else "ltr"
            assert f'<html lang="{language}" dir="{direction}">' in mails[kind]["target"]["html"]
    untranslated = {}
    for kind in KINDS:
        target, english = texts(mails[kind]["target"]), texts(mails[kind]["twin"])
        if target["subject"] == english["subject"]:
            untranslated[(kind, "subject as a whole")] = target["subject"]
        for part in ("subject", "text", "html", "ics"):
            # Three English words in a row left in the mail mean an untranslated phrase (single
            # words may be shared by both languages: "actions", "date", "message", "coalition").
            left = word_runs(english[part], facts["user_content"]) & word_runs(
                target[part], facts["user_content"])
            if left:
                untranslated[(kind, part)] = sorted(left)
    assert not untranslated, "English left in the mails:\n" + "\n".join(
        f"{kind} {part}: {words}" for (kind, part), words in sorted(untranslated.items()))
