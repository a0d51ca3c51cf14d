"""The coalition's records: the Pledge (commitments, signatures, focal points), initiatives
and the decision register.

Part of the permissions module: `wg.permissions` re-exports every name here.
"""

from flask import abort
from sqlalchemy import select

from wg.extensions import db
from wg.groups.models import Group
from wg.permissions import (
    JINJA_GLOBALS,
    Role,
    _authenticated,
    _group,
    _load,
    _roles,
    can_see_meeting_drafts,
    can_view_group,
    is_chair,
    is_coordinator,
    roles_in,
    visible_group_ids,
)
from wg.permissions_sensitivity import can_see_sensitivity, sensitivity_clause

# The Coalition Pledge


def can_view_pledge(person):
    """The Pledge, its campaign and implementation pages: every logged-in person."""
    return _authenticated(person)


def can_edit_pledge_commitments(person):
    """Coordinators word the Pledge's commitments."""
    return is_coordinator(person)


def can_record_signature(person):
    """Coordinators record, correct and remove participants' signatures of the Pledge."""
    return is_coordinator(person)


def can_manage_focal_points(person):
    """Coordinators grant and revoke the focal point role of a participant."""
    return is_coordinator(person)


def is_focal_point(person, participant):
    """The person keeps this participant's Pledge record (granted by a coordinator)."""
    if not _authenticated(person) or getattr(person, "id", None) is None:
        return False
    cached = getattr(person, "_wg_focal", None)
    if cached is None:
        from wg.pledge.models import FocalPoint

        cached = set(db.session.scalars(select(FocalPoint.participant_id).where(
            FocalPoint.person_id == person.id)))
        try:
            person._wg_focal = cached
        except AttributeError:  # pragma: no cover - anonymous user objects
            pass
    return participant.id in cached


def can_update_implementation(person, participant):
    """A participant's commitment implementation: coordinators and its own focal points."""
    return is_coordinator(person) or is_focal_point(person, participant)


def _participant_by_code(code):
    from wg.participants.models import Participant

    return db.session.scalar(select(Participant).where(
        Participant.code == (code or "").upper()[:16]))


def participant_for_pledge(person, code):
    return _load(_participant_by_code(code), lambda p: can_view_pledge(person))


def participant_for_implementation(person, code):
    return _load(_participant_by_code(code), lambda p: can_update_implementation(person, p))


def participant_for_signature(person, code):
    return _load(_participant_by_code(code), lambda p: can_record_signature(person))


def participant_for_focal_points(person, code):
    return _load(_participant_by_code(code), lambda p: can_manage_focal_points(person))


def commitment_for_edit(person, commitment_id):
    from wg.pledge.models import PledgeCommitment

    return _load(db.session.get(PledgeCommitment, commitment_id),
                 lambda c: can_edit_pledge_commitments(person))


def require_pledge_view(person):
    if not can_view_pledge(person):
        abort(403)


JINJA_GLOBALS.update({
    "can_edit_pledge_commitments": can_edit_pledge_commitments,
    "can_record_signature": can_record_signature,
    "can_manage_focal_points": can_manage_focal_points,
    "can_update_implementation": can_update_implementation,
    "is_focal_point": is_focal_point,
})


# --- Initiatives and the decision register (issue 14) ----------------------------------------


def can_view_initiatives(person):
    """Initiatives are the coalition's public commitments: every signed-in person reads them
    (the linked actions themselves stay behind can_view_actions)."""
    return _authenticated(person)


def can_edit_initiatives_of(person, group):
    """Coordinators, and the chairs and leads of the line of effort (the working group itself),
    create and edit its initiatives and link its actions."""
    if is_coordinator(person):
        return True
    if not _authenticated(person) or group is None:
        return False
    working_group = group.parent or group
    return bool(roles_in(person, working_group) & {Role.chair, Role.lead})


def can_edit_initiative(person, initiative):
    return can_edit_initiatives_of(person, initiative.group)


def can_create_initiative(person):
    """Whoever may edit the initiatives of at least one line of effort."""
    if is_coordinator(person):
        return True
    if not _authenticated(person):
        return False
    working = set(db.session.scalars(select(Group.id).where(Group.parent_id.is_(None))))
    return any(gid in working and roles & {Role.chair, Role.lead}
               for gid, roles in _roles(person).items())


def initiative_groups_for_edit(person):
    """The lines of effort whose initiatives the person may create or edit."""
    groups = db.session.scalars(select(Group).where(Group.parent_id.is_(None))
                                .order_by(Group.position, Group.code)).all()
    return [g for g in groups if can_edit_initiatives_of(person, g)]


def initiative_for_view(person, initiative_id):
    from wg.initiatives.models import Initiative

    return _load(db.session.get(Initiative, initiative_id),
                 lambda i: can_view_initiatives(person))


def initiative_for_edit(person, initiative_id):
    from wg.initiatives.models import Initiative

    return _load(db.session.get(Initiative, initiative_id),
                 lambda i: can_edit_initiative(person, i))


def require_initiative_creator(person):
    if not can_create_initiative(person):
        abort(403)


def can_record_decision(person, group):
    """The group's chairs and coordinators record (and update) its decisions."""
    return is_coordinator(person) or (_authenticated(person) and is_chair(person, group))


def can_record_any_decision(person):
    if is_coordinator(person):
        return True
    return _authenticated(person) and any(Role.chair in r for r in _roles(person).values())


def decision_groups_for_recording(person):
    groups = db.session.scalars(select(Group).where(Group.is_active.is_(True))
                                .order_by(Group.position, Group.code)).all()
    return [g for g in groups if can_record_decision(person, g)]


def can_view_decision(person, decision):
    """Whoever sees the group sees its decisions; a decision of a meeting whose minutes are not
    published yet is for those who record the group's decisions (and the meeting's editors)."""
    if not can_view_group(person, decision.group) or not can_see_sensitivity(person, decision):
        return False
    meeting = decision.meeting
    if meeting is None or meeting.minutes_published_at is not None:
        return True
    return can_record_decision(person, decision.group) or can_see_meeting_drafts(person, meeting)


def visible_decision_clause(person):
    """A SQL condition on Decision (joined to nothing) matching can_view_decision, or None when
    the person sees every decision."""
    from sqlalchemy import or_

    from wg.decisions.models import Decision
    from wg.meetings.models import Meeting

    published = or_(Decision.meeting_id.is_(None), Decision.meeting_id.in_(
        select(Meeting.id).where(Meeting.minutes_published_at.is_not(None))))
    if is_coordinator(person):
        return None
    visible = visible_group_ids(person)
    chaired = {gid for gid, r in _roles(person).items() if Role.chair in r}
    clause = Decision.group_id.in_(visible) & or_(published, Decision.group_id.in_(chaired))
    return clause & sensitivity_clause(person, Decision)


def decision_for_view(person, decision_id):
    from wg.decisions.models import Decision

    return _load(db.session.get(Decision, decision_id), lambda d: can_view_decision(person, d))


def decision_for_edit(person, decision_id):
    from wg.decisions.models import Decision

    return _load(db.session.get(Decision, decision_id),
                 lambda d: can_view_decision(person, d) and can_record_decision(person, d.group))


def group_for_decisions(person, slug):
    return _load(_group(slug), lambda g: can_view_group(person, g))


def group_for_recording_decisions(person, group_id):
    return _load(db.session.get(Group, group_id), lambda g: can_record_decision(person, g))


JINJA_GLOBALS.update({
    "can_view_initiatives": can_view_initiatives,
    "can_edit_initiative": can_edit_initiative,
    "can_create_initiative": can_create_initiative,
    "can_record_decision": can_record_decision,
    "can_record_any_decision": can_record_any_decision,
    "can_view_decision": can_view_decision,
})


def require_initiative_viewer(person):
    if not can_view_initiatives(person):
        abort(403)
