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
    if hasattr(person, "_wg_visible"):
        del person._wg_visible


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
    # Kept on the person for the request, like _roles (a page asks more than once).
    cached = getattr(person, "_wg_visible", None)
    if cached is not None:
        return set(cached)
    roles = _roles(person)
    ids = set(roles)
    lead_of = {gid for gid, r in roles.items() if Role.lead in r}
    if lead_of:
        ids |= set(db.session.scalars(select(Group.id).where(Group.parent_id.in_(lead_of))))
    parents = db.session.scalars(
        select(Group.parent_id).where(Group.id.in_(roles), Group.parent_id.is_not(None))
    )
    ids |= set(parents)
    try:
        person._wg_visible = frozenset(ids)
    except AttributeError:  # anonymous user objects may refuse attributes
        pass
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
}


# Split by concern (each module imports what it needs from above); every name stays
# reachable as wg.permissions.<name>.
from wg.permissions_documents import (
    _document,
    _document_allowed,
    can_edit_document_parent,
    can_search,
    can_see_document,
    can_view_document_parent,
    document_for_edit,
    document_for_view,
    document_may_leave_by,
    document_parent,
    document_parent_for_edit,
    document_parent_for_view,
    require_search,
    search_visibility_clause,
)
from wg.permissions_records import (
    _participant_by_code,
    can_create_initiative,
    can_edit_initiative,
    can_edit_initiatives_of,
    can_edit_pledge_commitments,
    can_manage_focal_points,
    can_record_any_decision,
    can_record_decision,
    can_record_signature,
    can_update_implementation,
    can_view_decision,
    can_view_initiatives,
    can_view_pledge,
    commitment_for_edit,
    decision_for_edit,
    decision_for_view,
    decision_groups_for_recording,
    group_for_decisions,
    group_for_recording_decisions,
    initiative_for_edit,
    initiative_for_view,
    initiative_groups_for_edit,
    is_focal_point,
    participant_for_focal_points,
    participant_for_implementation,
    participant_for_pledge,
    participant_for_signature,
    require_initiative_creator,
    require_initiative_viewer,
    require_pledge_view,
    visible_decision_clause,
)
from wg.permissions_sensitivity import (
    CHANNELS,
    _label,
    can_see_minutes,
    can_see_sensitivity,
    can_set_sensitivity,
    may_leave_by,
    sees_strict_as_coordinator,
    sensitivity_clause,
)
