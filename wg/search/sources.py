"""What each record type puts in the search index, and who may find it (mirrors the views'
rules in wg/permissions.py; the keys are interpreted by services.visibility_clause)."""

from datetime import UTC, datetime, time

from wg.markdown import plain_text
from wg.search.index import SOURCES, Entry, register


def _day(value):
    """A calendar date as the index's instant (midnight UTC: shown as that very date)."""
    return datetime.combine(value, time.min, tzinfo=UTC) if value else None


def _parent(obj, name, model_path, fk):
    """A many-to-one parent, also in after_flush where a new object's relationship is unloaded."""
    parent = getattr(obj, name)
    if parent is None and fk is not None:
        from wg.extensions import db
        from wg.search.index import Source

        parent = db.session.get(Source("", model_path, None).model, fk)
    return parent


def _strict(item, attribute="sensitivity"):
    """The owning participant of an AMBER+STRICT item (its label in `attribute`), else None."""
    from wg.sensitivity import Sensitivity

    if Sensitivity.parse(getattr(item, attribute, None)) is Sensitivity.amber_strict:
        return item.sensitivity_participant_id
    return None


def _meeting_related(meeting, deleted=False):
    """A meeting's minutes, agenda items and decisions follow its publication state."""
    from wg.decisions.models import Decision
    from wg.extensions import db
    from wg.meetings.models import AgendaItem

    # Queried, not read from the relationship: a collection loaded earlier in the session
    # misses rows added by foreign key since.
    items = db.session.query(AgendaItem).filter(AgendaItem.meeting_id == meeting.id).all()
    if deleted:
        return [("agenda_item", item.id) for item in items]
    related = [(SOURCES["agenda_item"], item) for item in items]
    decisions = db.session.query(Decision).filter(Decision.meeting_id == meeting.id).all()
    related += [(SOURCES["decision"], d) for d in decisions]
    return related


def _action_related(action, deleted=False):
    from wg.actions.models import ProgressLog
    from wg.extensions import db

    logs = db.session.query(ProgressLog).filter(ProgressLog.action_id == action.id).all()
    if deleted:
        return [("progress", log.id) for log in logs]
    return [(SOURCES["progress"], log) for log in logs]


@register("action", "wg.actions.models:ActionItem", related=_action_related)
def _action(action):
    return Entry(action.group_id, "group", action.title, action.description or "",
                 "actions.detail", action.id,
                 # Its last activity (a progress entry, or its creation), as the lists show.
                 updated_at=action.last_activity_at or action.updated_at,
                 strict_participant_id=_strict(action))


@register("progress", "wg.actions.models:ProgressLog", load=("action",))
def _progress(log):
    action = _parent(log, "action", "wg.actions.models:ActionItem", log.action_id)
    if not (log.note or "").strip() or action is None:
        return None
    return Entry(action.group_id, "group", action.title, log.note, "actions.detail",
                 action.id, updated_at=log.created_at, strict_participant_id=_strict(action))


@register("meeting", "wg.meetings.models:Meeting", related=_meeting_related)
def _meeting(meeting):
    return Entry(meeting.group_id, "group", meeting.title,
                 " ".join(filter(None, [meeting.place, meeting.cancel_reason])),
                 "meetings.detail", meeting.id, updated_at=meeting.start_at,
                 strict_participant_id=_strict(meeting))


@register("minutes", "wg.meetings.models:Meeting")
def _minutes(meeting):
    if not (meeting.minutes_md or "").strip():
        return None
    visibility = "group" if meeting.minutes_published_at else "chairs"
    return Entry(meeting.group_id, visibility, meeting.title, plain_text(meeting.minutes_md),
                 "meetings.detail", meeting.id, "minutes", updated_at=meeting.start_at,
                 strict_participant_id=_strict(meeting) or _strict(meeting, "minutes_sensitivity"))


@register("agenda_item", "wg.meetings.models:AgendaItem", load=("meeting",))
def _agenda_item(item):
    meeting = _parent(item, "meeting", "wg.meetings.models:Meeting", item.meeting_id)
    if meeting is None:
        return None
    visibility = "group" if meeting.agenda_published_at else "chairs"
    return Entry(meeting.group_id, visibility, item.title,
                 " ".join(filter(None, [item.presenter, item.notes])),
                 "meetings.detail", meeting.id, updated_at=meeting.start_at,
                 strict_participant_id=_strict(meeting))


@register("decision", "wg.decisions.models:Decision", load=("meeting", "group"))
def _decision(decision):
    meeting = _parent(decision, "meeting", "wg.meetings.models:Meeting", decision.meeting_id)
    unpublished = meeting is not None and meeting.minutes_published_at is None
    # Its reference as cited everywhere (SWG1.1-2026/15): found by it, shown as it.
    group = _parent(decision, "group", "wg.groups.models:Group", decision.group_id)
    title = f"{group.code}-{decision.year}/{decision.number}" if group else \
        f"{decision.year}/{decision.number}"
    return Entry(decision.group_id, "recorders" if unpublished else "viewers", title,
                 decision.text, "decisions.detail", decision.id,
                 updated_at=_day(decision.decided_on) or decision.updated_at,
                 strict_participant_id=_strict(decision) or (meeting and _strict(meeting)))


@register("initiative", "wg.initiatives.models:Initiative")
def _initiative(initiative):
    return Entry(None, "all", initiative.title, plain_text(initiative.goal_md),
                 "initiatives.detail", initiative.id,
                 # Its last edit, or (never edited since it was entered) the day it started.
                 updated_at=initiative.updated_at if (initiative.version or 1) > 1
                 else _day(initiative.start_date) or initiative.updated_at)


@register("commitment", "wg.pledge.models:PledgeCommitment")
def _commitment(commitment):
    return Entry(None, "all", f"{commitment.number}", commitment.text, "pledge.index",
                 0, f"commitment-{commitment.number}")


# Documents: found by their title and the text of their current version (extracted at upload,
# wg/documents/text.py), by whoever may find their parent (the parent's own entry decides the
# group, the visibility and an AMBER+STRICT owner); a document's own AMBER+STRICT label names
# its own owner.
_DOCUMENT_PARENTS = {
    "meeting": ("meeting", "wg.meetings.models:Meeting"),
    "agenda_item": ("agenda_item", "wg.meetings.models:AgendaItem"),
    "action": ("action", "wg.actions.models:ActionItem"),
    "decision": ("decision", "wg.decisions.models:Decision"),
}


@register("document", "wg.documents.models:Document")
def _document(document):
    if document.deleted:
        return None
    if document.parent_type in ("commitment_implementation", "pledge_signature"):
        parent_entry = Entry(None, "all", "", "", "", 0)
    else:
        source_type, model_path = _DOCUMENT_PARENTS.get(document.parent_type, (None, None))
        if source_type is None:
            return None
        from wg.extensions import db
        from wg.search.index import Source

        parent = db.session.get(Source("", model_path, None).model, document.parent_id)
        parent_entry = parent and SOURCES[source_type].build(parent)
        if parent_entry is None:
            # A parent with nothing to index (an agenda item's meeting gone): its meeting rules.
            return None
    latest = document.latest
    body = "\n".join(filter(None, [latest.filename, latest.text])) if latest else ""
    return Entry(parent_entry.group_id, parent_entry.visibility, document.title, body,
                 "documents.detail", document.id,
                 updated_at=latest.uploaded_at if latest else document.created_at,
                 strict_participant_id=_strict(document) or parent_entry.strict_participant_id)
