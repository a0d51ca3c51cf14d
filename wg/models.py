"""Imports every feature's models so that the metadata (and Alembic) sees all tables."""

from wg.actions.models import ActionItem, ProgressLog  # noqa: F401
from wg.api.models import ApiToken  # noqa: F401
from wg.auth.models import Person, RememberToken  # noqa: F401

# The coalition's own records (issue 14): initiatives and the decision register.
from wg.decisions.models import Decision as _Decision  # noqa: E402,F401
from wg.documents.models import Document, DocumentVersion  # noqa: E402,F401
from wg.groups.counts import GroupParticipantMembers, ParticipantPeople  # noqa: F401
from wg.groups.models import Group, Membership, Role  # noqa: F401
from wg.history.models import HistoryEntry  # noqa: F401
from wg.idempotency import IdempotencyKey  # noqa: F401
from wg.initiatives.models import Initiative  # noqa: E402,F401
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
from wg.notify.models import JobRun, NotificationPreference, OutboxMessage  # noqa: F401
from wg.participants.models import Participant, ParticipantKind  # noqa: F401
from wg.pledge.models import (  # noqa: F401
    CommitmentImplementation,
    FocalPoint,
    PledgeCommitment,
    PledgeSignature,
)
from wg.rollups.models import (  # noqa: F401
    ParticipantActivity,
    RollupCurrent,
    RollupMonthDelta,
    RollupParticipant,
)
from wg.search.models import SearchDocument  # noqa: E402,F401
from wg.stamps import ChangeStamp  # noqa: E402,F401
from wg.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription  # noqa: F401,E501
