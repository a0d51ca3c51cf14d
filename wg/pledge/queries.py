"""What the Pledge pages read: the campaign (who signed, by region), the implementation
rollups, the records not reviewed in twelve months, the signatures CSV."""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wg.extensions import db
from wg.formatting import participant_name, sort_key
from wg.participants.models import Participant
from wg.pledge import regions, rollups
from wg.pledge.models import CommitmentImplementation, PledgeCommitment, PledgeSignature


def commitments():
    return db.session.scalars(select(PledgeCommitment).order_by(PledgeCommitment.number)).all()


def _participants():
    rows = db.session.scalars(select(Participant).options(
        selectinload(Participant.pledge_signature).selectinload(PledgeSignature.recorded_by)
    )).all()
    rows.sort(key=lambda p: (p.kind.value, sort_key(participant_name(p))))
    return rows


@dataclass
class RegionRow:
    code: str
    name: str
    signed: int
    total: int

    @property
    def share(self):
        return self.signed / self.total if self.total else 0


@dataclass
class Campaign:
    signed: list
    unsigned: list
    regions: list

    @property
    def total(self):
        return len(self.signed) + len(self.unsigned)


def campaign():
    """Every participant, signed (by date) or not, and the counts by M49 region."""
    participants = _participants()
    counts = {}
    for p in participants:
        row = counts.setdefault(regions.region_of(p), [0, 0])
        row[1] += 1
        row[0] += p.pledge_signature is not None
    region_rows = [RegionRow(code, regions.region_name(code), signed, total)
                   for code, (signed, total) in sorted(
                       counts.items(), key=lambda kv: regions.region_sort_key(kv[0]))]
    signed = sorted([p for p in participants if p.pledge_signature is not None],
                    key=lambda p: (p.pledge_signature.signed_on, not p.is_core))
    unsigned = [p for p in participants if p.pledge_signature is None]
    return Campaign(signed, unsigned, region_rows)


def implementation_rows():
    """(signatories, commitments, {(participant id, commitment id): implementation})."""
    signatories = [p for p in _participants() if p.pledge_signature is not None]
    items = commitments()
    records = {(i.participant_id, i.commitment_id): i for i in db.session.scalars(
        select(CommitmentImplementation).where(
            CommitmentImplementation.participant_id.in_([p.id for p in signatories])))}
    return signatories, items, records


def rollup(signatories, items, records):
    return rollups.compute([(p.id, regions.region_of(p)) for p in signatories],
                           [c.id for c in items],
                           {key: r.status for key, r in records.items()})


def year_before(today):
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today - timedelta(days=366)


@dataclass
class ReviewDue:
    participant: Participant
    numbers: list  # commitment numbers due a review
    last_reviewed_on: date | None  # the oldest review among them (None: one never reviewed)
    signed_on: date | None = None  # the participant's signature date


def review_due(last_reviewed_on, signed_on, cutoff):
    """A record is due a review when its last review (or, never reviewed, the signature) is
    older than `cutoff`: a signatory has 12 months from signing before its first review."""
    since = last_reviewed_on or signed_on
    return since is None or since < cutoff


def not_reviewed(signatories, items, records, today):
    """Signatories with commitments due a review: last reviewed before the same day a year ago,
    or never reviewed and signed before that day."""
    cutoff = year_before(today)
    due = []
    for p in signatories:
        signed_on = p.pledge_signature.signed_on if p.pledge_signature is not None else None
        numbers, dates, never = [], [], False
        for c in items:
            record = records.get((p.id, c.id))
            reviewed = record.last_reviewed_on if record is not None else None
            if review_due(reviewed, signed_on, cutoff):
                numbers.append(c.number)
                never = never or reviewed is None
                if reviewed is not None:
                    dates.append(reviewed)
        if numbers:
            due.append(ReviewDue(p, numbers, None if never else min(dates), signed_on))
    due.sort(key=lambda r: (r.last_reviewed_on or r.signed_on or date.min,
                            sort_key(participant_name(r.participant))))
    return due


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def signatures_csv(header, bom=True):
    """Every participant's signature (or none) as CSV text; Excel reads UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for p in _participants():
        s = p.pledge_signature
        region = regions.region_of(p)
        writer.writerow([_cell(v) for v in (
            p.code, participant_name(p), p.kind.value, region, regions.region_name(region),
            "yes" if s else "no", s.signed_on.isoformat() if s else "",
            s.signatory_name if s else "", s.signatory_title if s else "",
            s.instrument_reference if s else "", s.instrument_url if s else "",
            s.recorded_by.name if s and s.recorded_by else "",
            s.recorded_at.isoformat(timespec="seconds") if s and s.recorded_at else "")])
    return ("\ufeff" if bom else "") + out.getvalue()


@dataclass
class SignatureTrail:
    recorded_at: object  # when the signature was first recorded (None: unknown)
    recorded_by: str  # who recorded it, as the history shows a name
    corrected_at: object = None  # the last correction, if any
    corrected_by: str = ""


def signature_trail(signature):
    """Who first recorded the signature and who last corrected it, read from its history
    (two single-row queries); a signature with no history (seeded) falls back on its row."""
    from wg.history.models import HistoryEntry
    from wg.history.services import SYSTEM, actor_display

    stmt = select(HistoryEntry).where(HistoryEntry.object_type == "pledge_signature",
                                      HistoryEntry.object_id == signature.id)
    first = db.session.scalar(stmt.order_by(HistoryEntry.id).limit(1))
    last = db.session.scalar(stmt.order_by(HistoryEntry.id.desc()).limit(1))

    def who(entry):
        return actor_display(entry.actor_label)

    if first is not None and first.verb == "signed":
        trail = SignatureTrail(first.at, who(first))
    elif first is None:
        return SignatureTrail(signature.recorded_at, signature.recorded_by.name
                              if signature.recorded_by else actor_display(SYSTEM))
    else:  # recorded without history (seed data), corrected since
        trail = SignatureTrail(None, "")
    if last is not None and last.verb in ("updated", "signature_corrected"):
        trail.corrected_at, trail.corrected_by = last.at, who(last)
    return trail
