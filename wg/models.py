"""Imports every feature's models so that the metadata (and Alembic) sees all tables."""

from wg.actions.models import (  # noqa: F401,E402
    ActionItem,
    ParticipantActivity,
    ProgressLog,
    RollupCurrent,
    RollupMonthDelta,
    RollupParticipant,
)
from wg.auth.models import Person  # noqa: F401
from wg.groups.models import Group, Membership, Role  # noqa: F401
from wg.notify.models import OutboxMessage  # noqa: F401
from wg.participants.models import Participant, ParticipantKind  # noqa: F401
