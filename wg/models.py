"""Imports every feature's models so that the metadata (and Alembic) sees all tables."""

from wg.actions.models import (  # noqa: F401
    ActionItem,
    ParticipantActivity,
    ProgressLog,
    RollupCurrent,
    RollupMonthDelta,
    RollupParticipant,
)
from wg.auth.models import Person, RememberToken  # noqa: F401
from wg.groups.models import Group, Membership, Role  # noqa: F401
from wg.meetings.models import (  # noqa: F401
    AgendaItem,
    Attendance,
    CalendarPreference,
    Decision,
    Meeting,
    MeetingSeries,
    Representation,
    Rsvp,
)
from wg.notify.models import JobRun, MeetingNoticeState, NotificationPreference, OutboxMessage  # noqa: F401
from wg.participants.models import Participant, ParticipantKind  # noqa: F401
