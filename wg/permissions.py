"""Every "may this person do this to that" answer, in one place.

Predicates return True/False and never raise; loaders fetch by key and raise 404 or 403.
Views call a loader first; templates call the predicates (registered as Jinja globals).
"""

from flask import abort
from sqlalchemy import select

from wg.extensions import db
from wg.groups.models import Group, Membership, Role

# Endpoints that answer without a session. Everything else needs a logged-in person.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "bootstrap.static",
        "auth.login",
        "auth.sso_login",  # single sign-on: off to the provider and back
        "auth.sso_callback",
        "auth.forgot_password",
        "auth.set_password",
        "core.healthz",
        "core.set_language",  # the switcher works on the login page too
        "meetings.feed",  # calendar programs fetch the private-token feed without a session
        "api.openapi_json",  # the API's OpenAPI document and its docs page
        "api.docs",
    }
)


def is_public_endpoint(endpoint):
    return endpoint in PUBLIC_ENDPOINTS


def is_token_endpoint(endpoint):
    """API endpoints authenticate a Bearer token themselves (and answer 401), never a cookie."""
    return endpoint.startswith("api.")


def _roles(person):
    """Map group id -> set of Role for the person, loaded once per request."""
    cached = getattr(person, "_wg_roles", None)
    if cached is None:
        cached = {}
        if person is not None and getattr(person, "id", None) is not None:
            rows = db.session.execute(
                select(Membership.group_id, Membership.role).where(
                    Membership.person_id == person.id
                )
            )
            for group_id, role in rows:
                cached.setdefault(group_id, set()).add(role)
        try:
            person._wg_roles = cached
        except AttributeError:  # anonymous user objects may refuse attributes
            pass
    return cached


def forget_roles(person):
    """Drop the per-request role cache after the person's memberships change."""
    if hasattr(person, "_wg_roles"):
        del person._wg_roles
    if hasattr(person, "_wg_focal"):
        del person._wg_focal


def _authenticated(person):
    return person is not None and getattr(person, "is_authenticated", False)


def is_coordinator(person):
    """Coordinators administer the coalition and read everything."""
    return _authenticated(person) and bool(getattr(person, "is_coordinator", False))


def roles_in(person, group):
    if not _authenticated(person):
        return set()
    return _roles(person).get(group.id, set())


def is_member(person, group):
    """Members and chairs of this very group take part in it."""
    return bool(roles_in(person, group) & {Role.member, Role.chair})


def is_chair(person, group):
    return Role.chair in roles_in(person, group)


def is_lead(person, group):
    """A lead of a working group leads its whole line of effort, sub-groups included."""
    if not _authenticated(person):
        return False
    working_group_id = group.parent_id or group.id
    return Role.lead in _roles(person).get(working_group_id, set())


def can_view_group(person, group):
    """Members, chairs, the line of effort's leads and coordinators see a group's pages.

    Members of a sub-group also see their working group's page.
    """
    if not _authenticated(person):
        return False
    if is_coordinator(person) or is_lead(person, group) or is_member(person, group):
        return True
    if group.parent_id is None:
        roles = _roles(person)
        return any(child.id in roles for child in group.children)
    return False


def can_manage_group(person, group):
    """Chairs schedule meetings and manage the actions of their own group."""
    return _authenticated(person) and is_chair(person, group)


def can_view_rollups(person, group=None):
    """Leads see their line of effort's rollups; coordinators see every rollup."""
    if is_coordinator(person):
        return True
    if group is None:
        return _authenticated(person) and any(
            Role.lead in roles for roles in _roles(person).values()
        )
    return is_lead(person, group)


def can_administer(person):
    """Only coordinators administer people, participants, groups, roles and pledges."""
    return is_coordinator(person)


def visible_group_ids(person):
    """Ids of every group whose pages the person may see (None means all of them)."""
    if is_coordinator(person):
        return None
    roles = _roles(person)
    ids = set(roles)
    lead_of = {gid for gid, r in roles.items() if Role.lead in r}
    if lead_of:
        ids |= set(db.session.scalars(select(Group.id).where(Group.parent_id.in_(lead_of))))
    parents = db.session.scalars(
        select(Group.parent_id).where(Group.id.in_(roles), Group.parent_id.is_not(None))
    )
    ids |= set(parents)
    return ids


def can_view_meetings(person, group):
    """A group's meetings: its members and chairs, the line of effort's leads, coordinators."""
    if not _authenticated(person):
        return False
    return is_coordinator(person) or is_lead(person, group) or is_member(person, group)


def can_view_meeting(person, meeting):
    return can_view_meetings(person, meeting.group) and can_see_sensitivity(person, meeting)


def can_schedule_meetings(person, group):
    """Only the group's own chairs schedule and run its meetings."""
    return _authenticated(person) and is_chair(person, group)


def can_edit_meeting(person, meeting):
    """Chairs of the meeting's group edit it, its agenda, attendance and minutes."""
    return can_schedule_meetings(person, meeting.group)


def can_rsvp(person, meeting):
    """Members (and chairs) of the meeting's group answer whether they come."""
    return _authenticated(person) and is_member(person, meeting.group)


def can_see_meeting_drafts(person, meeting):
    """Unpublished agendas and minutes are for the group's chairs only."""
    return can_edit_meeting(person, meeting)


def can_view_meeting_calendar(person):
    """The coalition-wide month calendar is for leads and coordinators."""
    if is_coordinator(person):
        return True
    return _authenticated(person) and any(Role.lead in r for r in _roles(person).values())


def can_view_actions(person, group):
    """Members and chairs of the group, the line of effort's leads and coordinators read its
    actions."""
    if not _authenticated(person):
        return False
    return is_coordinator(person) or is_lead(person, group) or is_member(person, group)




def can_manage_actions(person, group):
    """Chairs create, assign, edit and close any action of their own group."""
    return _authenticated(person) and is_chair(person, group)


def can_update_action(person, action):
    """Progress may be logged by the group's chairs, the owner and the members of a responsible
    participant (country or organization) who take part in the group."""
    if not _authenticated(person):
        return False
    group = action.group
    if is_chair(person, group):
        return True
    if not is_member(person, group):
        return False
    if action.owner_id is not None and action.owner_id == person.id:
        return True
    return any(p.id == person.participant_id for p in action.participants)


def visible_action_group_ids(person):
    """Ids of the groups whose actions the person reads (None means every group)."""
    if is_coordinator(person):
        return None
    if not _authenticated(person):
        return set()
    roles = _roles(person)
    ids = {gid for gid, r in roles.items() if r & {Role.member, Role.chair}}
    lead_of = {gid for gid, r in roles.items() if Role.lead in r}
    if lead_of:
        ids |= lead_of
        ids |= set(db.session.scalars(select(Group.id).where(Group.parent_id.in_(lead_of))))
    return ids


def rollup_group_ids(person):
    """Ids of the groups whose rollups the person sees (None means every group)."""
    if is_coordinator(person):
        return None
    if not _authenticated(person):
        return set()
    lead_of = {gid for gid, r in _roles(person).items() if Role.lead in r}
    if not lead_of:
        return set()
    return lead_of | set(db.session.scalars(select(Group.id).where(Group.parent_id.in_(lead_of))))


# Loaders: fetch, then check; 404 when it does not exist, 403 when it may not be seen.


def _load(obj, allowed):
    """The object, after a 404 when it is missing and a 403 when `allowed(obj)` is false."""
    if obj is None:
        abort(404)
    if not allowed(obj):
        abort(403)
    return obj


def _group(slug):
    return db.session.scalar(select(Group).where(Group.slug == slug))


def _action(action_id):
    from wg.actions.models import ActionItem

    return db.session.get(ActionItem, action_id)


def _meeting(meeting_id):
    from wg.meetings.models import Meeting

    return db.session.get(Meeting, meeting_id)


def _series(series_id):
    from wg.meetings.models import MeetingSeries

    return db.session.get(MeetingSeries, series_id)


def group_for_view(person, slug):
    return _load(_group(slug), lambda g: can_view_group(person, g))


def group_for_actions(person, slug):
    return _load(_group(slug), lambda g: can_view_actions(person, g))


def group_for_managing_actions(person, slug):
    return _load(_group(slug), lambda g: can_manage_actions(person, g))


def group_for_rollups(person, slug):
    return _load(_group(slug), lambda g: can_view_rollups(person, g))


def group_for_meetings(person, slug):
    return _load(_group(slug), lambda g: can_view_meetings(person, g))


def group_for_scheduling(person, slug):
    return _load(_group(slug), lambda g: can_view_meetings(person, g)
                 and can_schedule_meetings(person, g))


def can_view_action(person, action):
    return can_view_actions(person, action.group) and can_see_sensitivity(person, action)


def action_for_view(person, action_id):
    return _load(_action(action_id), lambda a: can_view_action(person, a))


def action_for_update(person, action_id):
    return _load(_action(action_id), lambda a: can_see_sensitivity(person, a)
                 and can_update_action(person, a))


def action_for_manage(person, action_id):
    return _load(_action(action_id), lambda a: can_see_sensitivity(person, a)
                 and can_manage_actions(person, a.group))


def meeting_for_view(person, meeting_id):
    return _load(_meeting(meeting_id), lambda m: can_view_meeting(person, m))


def meeting_for_edit(person, meeting_id):
    return _load(_meeting(meeting_id), lambda m: can_view_meeting(person, m)
                 and can_edit_meeting(person, m))


def minutes_for_edit(person, meeting_id):
    """The minutes editor: the meeting's editors, when the minutes' own label lets them see."""
    return _load(_meeting(meeting_id), lambda m: can_view_meeting(person, m)
                 and can_edit_meeting(person, m) and can_see_minutes(person, m))


def meeting_for_rsvp(person, meeting_id):
    return _load(_meeting(meeting_id), lambda m: can_view_meeting(person, m) and can_rsvp(person, m))


def series_for_view(person, series_id):
    return _load(_series(series_id), lambda s: can_view_meetings(person, s.group))


def series_for_edit(person, series_id):
    return _load(_series(series_id), lambda s: can_view_meetings(person, s.group)
                 and can_schedule_meetings(person, s.group))


def can_subscribe_webhooks(person, group=None):
    """Coordinators subscribe to any group's events (or all groups': group None); chairs to
    their own group's."""
    if is_coordinator(person):
        return True
    return group is not None and _authenticated(person) and is_chair(person, group)


def can_use_webhooks(person):
    """The webhook pages are for coordinators and chairs (of at least one group)."""
    if is_coordinator(person):
        return True
    return _authenticated(person) and any(Role.chair in roles
                                          for roles in _roles(person).values())


def can_view_webhook(person, subscription):
    """A subscription, its deliveries and its buttons: whoever subscribed, and coordinators."""
    return is_coordinator(person) or (_authenticated(person)
                                      and subscription.owner_id == person.id)


def webhook_for_view(person, subscription_id):
    from wg.webhooks.models import WebhookSubscription

    return _load(db.session.get(WebhookSubscription, subscription_id),
                 lambda s: can_view_webhook(person, s))


def require_webhooks(person):
    if not can_use_webhooks(person):
        abort(403)


def can_view_person_history(person, subject):
    """A person's history (profile edits, roles, activation) is for coordinators and themself."""
    return is_coordinator(person) or (_authenticated(person) and person.id == subject.id)


def can_view_participant_history(person, participant):
    """A participant's record and Pledge history: coordinators and the participant's own people."""
    if is_coordinator(person):
        return True
    return _authenticated(person) and person.participant_id == participant.id


def _pledge_commitment(commitment_id):
    from wg.pledge.models import PledgeCommitment

    return db.session.get(PledgeCommitment, commitment_id)


def history_object_for_view(person, object_type, object_id):
    """The object whose History view is asked for, after the check for its own page.

    Raises 404 for an unknown type or id, 403 when the person may not see the object.
    """
    from wg.auth.models import Person
    from wg.participants.models import Participant

    loaders = {
        "meeting": lambda: meeting_for_view(person, object_id),
        "series": lambda: series_for_view(person, object_id),
        "action": lambda: action_for_view(person, object_id),
        "group": lambda: _load(db.session.get(Group, object_id),
                               lambda g: can_view_group(person, g)),
        "person": lambda: _load(db.session.get(Person, object_id),
                                lambda p: can_view_person_history(person, p)),
        "participant": lambda: _load(db.session.get(Participant, object_id),
                                     lambda p: can_view_participant_history(person, p)),
        "initiative": lambda: initiative_for_view(person, object_id),
        "decision": lambda: decision_for_view(person, object_id),
        "document": lambda: document_for_view(person, object_id),
        "pledge_commitment": lambda: _load(_pledge_commitment(object_id),
                                           lambda c: can_view_pledge(person)),
    }
    loader = loaders.get(object_type)
    if loader is None:
        abort(404)
    return loader()


def require_meeting_calendar(person):
    if not can_view_meeting_calendar(person):
        abort(403)


def require_coordinator(person):
    if not can_administer(person):
        abort(403)


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


JINJA_GLOBALS = {
    "is_coordinator": is_coordinator,
    "can_view_group": can_view_group,
    "can_manage_group": can_manage_group,
    "can_view_rollups": can_view_rollups,
    "can_view_actions": can_view_actions,
    "can_manage_actions": can_manage_actions,
    "can_update_action": can_update_action,
    "can_administer": can_administer,
    "roles_in": roles_in,
    "can_view_meetings": can_view_meetings,
    "can_view_meeting": can_view_meeting,
    "can_schedule_meetings": can_schedule_meetings,
    "can_edit_meeting": can_edit_meeting,
    "can_rsvp": can_rsvp,
    "can_see_meeting_drafts": can_see_meeting_drafts,
    "can_view_meeting_calendar": can_view_meeting_calendar,
    "can_view_person_history": can_view_person_history,
    "can_view_participant_history": can_view_participant_history,
    "can_use_webhooks": can_use_webhooks,
    "can_edit_pledge_commitments": can_edit_pledge_commitments,
    "can_record_signature": can_record_signature,
    "can_manage_focal_points": can_manage_focal_points,
    "can_update_implementation": can_update_implementation,
    "is_focal_point": is_focal_point,
}


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


# --- Sensitivity labels (TLP 2.0, issue 14) ---------------------------------------------------
#
# Any object with a `sensitivity` (wg.sensitivity.Sensitivity) and a `sensitivity_participant_id`
# takes part: meetings, decisions, actions, and later documents. The label narrows, never widens,
# what the object's own rules (group membership, drafts) already allow:
#
# - CLEAR, GREEN, AMBER: whoever may see the object sees it (the group's pages are already the
#   need-to-know circle AMBER asks for).
# - AMBER+STRICT: only the people of the participant (country or organization) whose member set
#   the label (sensitivity_participant_id), plus coordinators: the secretariat administers every
#   record, and the page shows them a banner saying the item is not theirs to share.
#   Others do not see it in lists either (no title leaks); rollup counts still include it,
#   since a number names nothing.
# - RED: seen in the tracker by whoever may see the object, but it never leaves it: no e-mail
#   carries it (a generic "A RED item changed; sign in to see it" with a link replaces the
#   message), calendar feeds and .ics attachments omit the event entirely, and webhook events
#   carry only the event type, the item's id and its label (no title, no content).
# Minutes carry their own label (meeting.minutes_sensitivity) under the same rules.


def _label(item, attribute="sensitivity"):
    from wg.sensitivity import DEFAULT, Sensitivity

    return Sensitivity.parse(getattr(item, attribute, None)) or DEFAULT


def can_see_sensitivity(person, item, attribute="sensitivity"):
    """May the person see `item` as far as its label goes (the item's own rules aside)?"""
    from wg.sensitivity import Sensitivity

    if _label(item, attribute) is not Sensitivity.amber_strict:
        return True
    if is_coordinator(person):
        return True
    owner = getattr(item, "sensitivity_participant_id", None)
    return (_authenticated(person) and owner is not None
            and getattr(person, "participant_id", None) == owner)


def can_see_minutes(person, meeting):
    """Minutes under their own label (AMBER+STRICT minutes of a GREEN meeting, say)."""
    return can_see_sensitivity(person, meeting, "minutes_sensitivity")


def sees_strict_as_coordinator(person, item, attribute="sensitivity"):
    """A coordinator looking at someone else's AMBER+STRICT item: the page says so."""
    from wg.sensitivity import Sensitivity

    return (_label(item, attribute) is Sensitivity.amber_strict and is_coordinator(person)
            and getattr(person, "participant_id", None) != item.sensitivity_participant_id)


def sensitivity_clause(person, model):
    """A SQL condition on `model` matching can_see_sensitivity, or True for coordinators."""
    from sqlalchemy import true

    from wg.sensitivity import Sensitivity

    if is_coordinator(person):
        return true()
    participant_id = getattr(person, "participant_id", None) if _authenticated(person) else None
    strict = model.sensitivity == Sensitivity.amber_strict
    if participant_id is None:
        return ~strict
    return ~strict | (model.sensitivity_participant_id == participant_id)


CHANNELS = ("email", "feed", "webhook")


def may_leave_by(channel, item, attribute="sensitivity"):
    """May `item` (its title and content) leave the tracker by e-mail, calendar feed or webhook?
    Only RED never does."""
    from wg.sensitivity import Sensitivity

    if channel not in CHANNELS:
        raise ValueError(channel)
    return _label(item, attribute) is not Sensitivity.red


def can_set_sensitivity(person, label):
    """Setting AMBER+STRICT needs a participant to own it (else nobody but coordinators would
    see the item); every other label may be set by whoever edits the item."""
    from wg.sensitivity import Sensitivity

    if Sensitivity.parse(label) is Sensitivity.amber_strict:
        return _authenticated(person) and getattr(person, "participant_id", None) is not None
    return True


JINJA_GLOBALS.update({
    "can_view_action": can_view_action,
    "can_see_sensitivity": can_see_sensitivity,
    "can_see_minutes": can_see_minutes,
    "sees_strict_as_coordinator": sees_strict_as_coordinator,
    "may_leave_by": may_leave_by,
})


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
    from wg.pledge.models import CommitmentImplementation

    model = {"meeting": Meeting, "agenda_item": AgendaItem, "action": ActionItem,
             "decision": Decision, "commitment_implementation": CommitmentImplementation
             }.get(parent_type)
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
        return can_view_actions(person, parent.group)
    if parent_type == "decision":
        return can_view_decision(person, parent)
    if parent_type == "commitment_implementation":
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


def document_for_view(person, document_id):
    return _load(_document(document_id), lambda d: _document_allowed(
        d, lambda p: can_view_document_parent(person, d.parent_type, p)))


def document_for_edit(person, document_id):
    return _load(_document(document_id), lambda d: _document_allowed(
        d, lambda p: can_edit_document_parent(person, d.parent_type, p)))


JINJA_GLOBALS["can_edit_document_parent"] = can_edit_document_parent
