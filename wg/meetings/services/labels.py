"""The sensitivity labels (TLP 2.0) of a meeting and of its minutes."""

from wg.errors import ValidationError
from wg.history import services as history
from wg.meetings.services import record
from wg.sensitivity import clean_label


def set_meeting_labels(meeting, actor, sensitivity, minutes_sensitivity, now,
                       expected_version=None):
    """Label the meeting and its minutes; history says "sensitivity GREEN → RED".

    Version-checked (history.StaleEdit); saving the labels unchanged records nothing. A label
    change is not a calendar change: members get no notice, but a RED meeting leaves every
    calendar feed at once and the webhook event carries only its id and label.
    """
    record.check("meeting", meeting, expected_version)
    errors = {}
    owner = meeting.sensitivity_participant_id
    label, owner_a = clean_label(errors, actor, sensitivity, meeting.sensitivity, owner)
    minutes_errors = {}
    minutes_label, owner_m = clean_label(minutes_errors, actor, minutes_sensitivity,
                                         meeting.minutes_sensitivity, owner)
    if minutes_errors:
        errors["minutes_sensitivity"] = minutes_errors["sensitivity"]
    if errors:
        raise ValidationError(errors)
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    meeting.sensitivity = label
    meeting.minutes_sensitivity = minutes_label
    # One owner for both labels: the participant of whoever last set AMBER+STRICT on either.
    owners = [o for o in (owner_a, owner_m) if o is not None]
    meeting.sensitivity_participant_id = next((o for o in owners if o != owner),
                                              owners[0] if owners else None)
    record.meeting_changed(meeting, before, actor, now, "sensitivity_changed")
    record.flush("meeting", meeting, expected_version)
    return meeting
