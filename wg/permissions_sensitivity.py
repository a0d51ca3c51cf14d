"""Sensitivity labels (TLP 2.0): who may see a labelled item and where it may go.

Part of the permissions module: `wg.permissions` re-exports every name here, so callers
keep using `permissions.can_see_sensitivity` and the like.
"""

from wg.permissions import (  # noqa: E402 (defined before this module is imported)
    JINJA_GLOBALS,
    _authenticated,
    can_view_action,
    is_coordinator,
)

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


