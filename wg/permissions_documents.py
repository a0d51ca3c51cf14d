"""Search and documents: who finds what, and who sees or edits a document (by its parent).

Part of the permissions module: `wg.permissions` re-exports every name here.
"""

from flask import abort

from wg.extensions import db
from wg.permissions import (
    JINJA_GLOBALS,
    Role,
    _authenticated,
    _load,
    _roles,
    can_edit_meeting,
    can_see_meeting_drafts,
    can_update_action,
    can_view_actions,
    can_view_meeting,
    is_coordinator,
    visible_action_group_ids,
    visible_group_ids,
)
from wg.permissions_records import (
    can_record_decision,
    can_record_signature,
    can_update_implementation,
    can_view_decision,
    can_view_pledge,
    is_focal_point,
)
from wg.permissions_sensitivity import can_see_sensitivity, may_leave_by

# --- Search (issue 14) -------------------------------------------------------------------------


def can_search(person):
    """Every signed-in person searches; the results hold only what they may read
    (search_visibility_clause)."""
    return _authenticated(person)


def require_search(person):
    if not can_search(person):
        abort(403)


def search_visibility_clause(person):
    """A SQL condition on search_documents: the rows the person may find. The keys written by
    wg/search/sources.py mirror the views: 'all' every signed-in person; 'group' the group's
    actions and meetings (can_view_actions / can_view_meetings); 'viewers' the group's pages
    (decisions, can_view_group); 'chairs' unpublished agendas and minutes
    (can_see_meeting_drafts); 'recorders' decisions of unpublished minutes (can_view_decision)."""
    from sqlalchemy import and_, false, or_, true

    from wg.search.models import SearchDocument as D

    if not _authenticated(person):
        return false()
    chaired = {gid for gid, r in _roles(person).items() if Role.chair in r}
    coordinator = is_coordinator(person)

    def within(ids):
        return true() if ids is None else (D.group_id.in_(ids) if ids else false())

    # AMBER+STRICT rows (can_see_sensitivity): the owning participant's people and coordinators.
    participant_id = getattr(person, "participant_id", None)
    if coordinator:
        strict = true()
    elif participant_id is None:
        strict = D.strict_participant_id.is_(None)
    else:
        strict = D.strict_participant_id.is_(None) | (D.strict_participant_id == participant_id)
    return and_(strict, or_(
        D.visibility == "all",
        and_(D.visibility == "group", within(visible_action_group_ids(person))),
        and_(D.visibility == "viewers", within(visible_group_ids(person))),
        and_(D.visibility == "chairs", within(chaired)),
        and_(D.visibility == "recorders", true() if coordinator else within(chaired)),
    ))


# Documents: access follows the object they are attached to.


def document_parent(parent_type, parent_id):
    """The object a document hangs on (None when it does not exist)."""
    from wg.actions.models import ActionItem
    from wg.decisions.models import Decision
    from wg.meetings.models import AgendaItem, Meeting
    from wg.pledge.models import CommitmentImplementation, PledgeSignature

    model = {"meeting": Meeting, "agenda_item": AgendaItem, "action": ActionItem,
             "decision": Decision, "commitment_implementation": CommitmentImplementation,
             "pledge_signature": PledgeSignature}.get(parent_type)
    if model is None or parent_id is None:
        return None
    return db.session.get(model, parent_id)


def can_view_document_parent(person, parent_type, parent):
    if parent_type == "meeting":
        return can_view_meeting(person, parent)
    if parent_type == "agenda_item":
        meeting = parent.meeting
        return can_view_meeting(person, meeting) and (
            meeting.agenda_published_at is not None or can_see_meeting_drafts(person, meeting))
    if parent_type == "action":
        # can_view_action: the group's actions, and the action's own label (AMBER+STRICT).
        return can_view_actions(person, parent.group) and can_see_sensitivity(person, parent)
    if parent_type == "decision":
        return can_view_decision(person, parent)
    if parent_type in ("commitment_implementation", "pledge_signature"):
        return can_view_pledge(person)
    return False


def can_edit_document_parent(person, parent_type, parent):
    if not can_view_document_parent(person, parent_type, parent):
        return False
    if parent_type == "meeting":
        return can_edit_meeting(person, parent)
    if parent_type == "agenda_item":
        return can_edit_meeting(person, parent.meeting)
    if parent_type == "action":
        return can_update_action(person, parent)
    if parent_type == "decision":
        return can_record_decision(person, parent.group)
    if parent_type == "commitment_implementation":
        return can_update_implementation(person, parent.participant)
    if parent_type == "pledge_signature":
        # The signed instrument: whoever records signatures, and the participant's own focal
        # points (who hold the letter or note verbale).
        return can_record_signature(person) or is_focal_point(person, parent.participant)
    return False


def document_parent_for_view(person, parent_type, parent_id):
    return _load(document_parent(parent_type, parent_id),
                 lambda p: can_view_document_parent(person, parent_type, p))


def document_parent_for_edit(person, parent_type, parent_id):
    return _load(document_parent(parent_type, parent_id),
                 lambda p: can_edit_document_parent(person, parent_type, p))


def _document(document_id):
    from wg.documents.models import Document

    document = db.session.get(Document, document_id)
    if document is None or document.deleted:
        return None
    return document


def _document_allowed(document, predicate):
    parent = document_parent(document.parent_type, document.parent_id)
    if parent is None:
        abort(404)
    return predicate(parent)


def can_see_document(person, document):
    """A document's own label narrows its parent's audience (can_see_sensitivity: its own
    AMBER+STRICT keeps it to the owning participant's people and coordinators). Without a label
    of its own it inherits the parent's, which the parent's rules already apply."""
    return can_see_sensitivity(person, document)


def document_may_leave_by(channel, document, parent=None):
    """May a document's title and link leave by e-mail (calendar feed, webhook)? Not when its
    own label, or the parent's it inherits, is RED (may_leave_by)."""
    from wg.documents.services import effective_label

    if parent is None:
        parent = document_parent(document.parent_type, document.parent_id)

    class _Labelled:
        sensitivity = effective_label(document, parent)

    return may_leave_by(channel, _Labelled)


def document_for_view(person, document_id):
    return _load(_document(document_id), lambda d: can_see_document(person, d) and
                 _document_allowed(d, lambda p: can_view_document_parent(person, d.parent_type, p)))


def document_for_edit(person, document_id):
    return _load(_document(document_id), lambda d: can_see_document(person, d) and
                 _document_allowed(d, lambda p: can_edit_document_parent(person, d.parent_type, p)))


JINJA_GLOBALS.update({"can_edit_document_parent": can_edit_document_parent,
                      "can_see_document": can_see_document,
                      "document_may_leave_by": document_may_leave_by})

