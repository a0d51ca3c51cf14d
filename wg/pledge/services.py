"""The Pledge's state changes: signatures, commitment texts, implementations, focal points.

Every function writes its history entry (filed under the participant, so the participant's
History shows the whole Pledge record), checks the version the form was made from, and
records nothing for a repeated submit (its idempotency key) or an unchanged value.
"""

from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from wg import idempotency, markdown
from wg.documents import services as documents
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import format_date
from wg.history import services as history
from wg.pledge.models import (
    CommitmentImplementation,
    FocalPoint,
    ImplementationStatus,
    PledgeSignature,
)

SIGNATURE_FIELDS = ("signed_on", "signatory_name", "signatory_title", "instrument_url",
                    "instrument_reference")
IMPLEMENTATION_FIELDS = ("status", "evidence_md", "evidence_links", "last_reviewed_on")
MAX_EVIDENCE = 20_000
MAX_LINKS = 20
MAX_URL = 500
# The core countries signed the Pledge, and it opened for signature, on this day: no signature
# can be older.
PLEDGE_OPENED_ON = date(2024, 9, 24)


def _date(value, field):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: _("Use a date like %(example)s.", example="2024-09-24")}) \
            from None


def _not_future(value, field, now, message):
    """`value`, unless it is after today; `message(today)` says so."""
    if value is not None and value > now.date():
        raise ValidationError({field: message(format_date(now.date()))})
    return value


def _not_before_pledge(value, field):
    """`value`, unless it is before the Pledge was opened for signature."""
    if value is not None and value < PLEDGE_OPENED_ON:
        raise ValidationError({field: _(
            "The Pledge was opened for signature on %(date)s: give a date on or after it.",
            date=format_date(PLEDGE_OPENED_ON))})
    return value


def _text(value, field, limit):
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError({field: _("At most %(num)s characters.", num=limit)})
    return value


def check_url(value, field):
    """An http(s) address, or a ValidationError naming the field."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > MAX_URL:
        raise ValidationError({field: _("At most %(num)s characters.", num=MAX_URL)})
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname \
            or any(ord(c) < 33 for c in value):
        raise ValidationError({field: _("Give an address starting with https:// (or http://).")})
    return value


def _stale_if(obj, object_type, expected_version):
    """The version check of a row that may not exist yet (a form made without it says 0)."""
    expected = history.parse_version(expected_version)
    if expected is None:
        return
    if obj is None:
        if expected != 0:
            raise history.StaleEdit(object_type, None, expected, 0)
        return
    history.check_version(object_type, obj, expected)


def signature_of(participant):
    return db.session.scalar(select(PledgeSignature).where(
        PledgeSignature.participant_id == participant.id))


def _record(actor, object_type, object_id, verb, changes, participant, now, reason=None,
            version=None, label=None):
    history.record(actor, object_type, object_id, verb, changes, now=now,
                   label=label or participant.name, reason=reason,
                   parent=("participant", participant.id), version=version)


def sign(participant, actor, *, signed_on, signatory_name="", signatory_title="",
         instrument_url="", instrument_reference="", now, expected_version=None, reason=None,
         key=None):
    """Record a participant's signature, or edit the recorded one.

    The date may not be in the future. Changing a recorded date is a correction and needs a
    reason; the history keeps the earlier date. Returns the signature (None when unchanged).
    """
    errors = {}
    values = {}
    for field, getter in (
        ("signed_on", lambda: _not_before_pledge(_not_future(
            _date(signed_on, "signed_on"), "signed_on", now,
            lambda today: _("The Pledge cannot be signed in the future: give the date it was "
                            "signed (today is %(today)s).", today=today)), "signed_on")),
        ("signatory_name", lambda: _text(signatory_name, "signatory_name", 200)),
        ("signatory_title", lambda: _text(signatory_title, "signatory_title", 200)),
        ("instrument_url", lambda: check_url(instrument_url, "instrument_url")),
        ("instrument_reference", lambda: _text(instrument_reference, "instrument_reference",
                                               300)),
    ):
        try:
            values[field] = getter()
        except ValidationError as exc:
            errors.update(exc.errors)
    if not errors and values["signed_on"] is None:
        errors["signed_on"] = _("Enter the date it was signed, like 2025-03-01.")
    if errors:
        raise ValidationError(errors)
    reason = (reason or "").strip()[:1000] or None
    signature = signature_of(participant)
    # A repeat (same form key) is told apart first: its version is necessarily old by now.
    idempotency.claim_or_raise(key, actor, f"pledge.sign:{participant.id}", now)
    _stale_if(signature, "pledge_signature", expected_version)
    if signature is None:
        signature = PledgeSignature(participant_id=participant.id, recorded_by_id=getattr(
            actor, "id", None), recorded_at=now, version=1, **values)
        db.session.add(signature)
        db.session.flush()
        _record(actor, "pledge_signature", signature.id, "signed",
                history.created(history.snapshot(signature, SIGNATURE_FIELDS)), participant, now,
                reason, version=1)
        idempotency.remember(key, f"pledge_signature:{signature.id}")
        return signature
    before = history.snapshot(signature, SIGNATURE_FIELDS)
    changes = history.diff(before, history.snapshot(values, SIGNATURE_FIELDS))
    if not changes:
        return None
    corrected = "signed_on" in changes
    if corrected and not reason:
        raise ValidationError({"reason": _("Say why the recorded date (%(date)s) is corrected.",
                                           date=format_date(signature.signed_on))})
    for field, value in values.items():
        setattr(signature, field, value)
    signature.recorded_by_id = getattr(actor, "id", None)
    signature.recorded_at = now
    signature.version += 1
    db.session.flush()
    _record(actor, "pledge_signature", signature.id,
            "signature_corrected" if corrected else "updated", changes, participant, now, reason,
            version=signature.version)
    idempotency.remember(key, f"pledge_signature:{signature.id}")
    return signature


def withdraw(participant, actor, *, reason, now, expected_version=None):
    """Remove a participant's signature (recorded in error or withdrawn), with a reason.

    The history keeps what was recorded; implementation records stay for a later signature; the
    documents of the signed instrument are removed with it.
    """
    signature = signature_of(participant)
    if signature is None:
        return None
    history.check_version("pledge_signature", signature, expected_version)
    reason = (reason or "").strip()[:1000]
    if not reason:
        raise ValidationError({"reason": _("Say why the signature is removed.")})
    changes = history.deleted(history.snapshot(signature, SIGNATURE_FIELDS))
    _record(actor, "pledge_signature", signature.id, "withdrawn", changes, participant, now,
            reason, version=signature.version + 1)
    # The signed instrument goes with the signature (its files and history are kept).
    documents.remove_documents_of("pledge_signature", signature, actor, now, reason)
    db.session.delete(signature)
    db.session.flush()
    db.session.expire(participant, ["pledge_signature"])
    return signature


def commitment_display_text(commitment):
    """The commitment as the reader reads it: the catalog's translation of a seeded text not
    edited since, else the text as written."""
    from wg.data.seed import PLEDGE_COMMITMENTS

    seeded = dict(PLEDGE_COMMITMENTS).get(commitment.seed_key)
    if seeded is not None and str(seeded).strip() == commitment.text.strip():
        return _(seeded)
    return commitment.text


def edit_commitment(commitment, actor, *, text, now, expected_version=None):
    """Coordinators reword a commitment; the history keeps every earlier text."""
    history.check_version("pledge_commitment", commitment, expected_version)
    text = _text(text, "text", 2000)
    if not text:
        raise ValidationError({"text": _("Enter the commitment's text.")})
    if text == commitment.text:
        return None
    changes = {"text": [commitment.text, text]}
    commitment.text = text
    commitment.version += 1
    db.session.flush()
    history.record(actor, "pledge_commitment", commitment.id, "updated", changes, now=now,
                   label=str(commitment.number), version=commitment.version)
    return commitment


def implementation_of(participant, commitment):
    return db.session.scalar(select(CommitmentImplementation).where(
        CommitmentImplementation.participant_id == participant.id,
        CommitmentImplementation.commitment_id == commitment.id))


def _links(value):
    lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINKS:
        raise ValidationError({"evidence_links": _("At most %(num)s links.", num=MAX_LINKS)})
    for line in lines:
        check_url(line, "evidence_links")
    return "\n".join(lines)


def update_implementation(participant, commitment, actor, *, status, evidence_md="",
                          evidence_links="", last_reviewed_on=None, now, expected_version=None,
                          key=None):
    """Set where a signatory stands on a commitment: status, evidence, last review date.

    Only signatories have implementations; the review date may not be in the future.
    """
    errors = {}
    try:
        status = ImplementationStatus(status if not isinstance(status, ImplementationStatus)
                                      else status.value)
    except ValueError:
        errors["status"] = _("Choose a status from the list.")
    try:
        evidence_md = _text(evidence_md, "evidence_md", MAX_EVIDENCE)
        if markdown.has_html(evidence_md):
            errors["evidence_md"] = _("Evidence is written in Markdown; HTML tags are not "
                                      "allowed.")
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        evidence_links = _links(evidence_links)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        last_reviewed_on = _not_future(
            _date(last_reviewed_on, "last_reviewed_on"), "last_reviewed_on", now,
            lambda today: _("A review cannot be dated in the future (today is %(today)s).",
                            today=today))
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    if signature_of(participant) is None:
        raise ValidationError({None: _("%(name)s has not signed the Pledge: record the "
                                       "signature first.", name=participant.name)})
    implementation = implementation_of(participant, commitment)
    idempotency.claim_or_raise(key, actor,
                               f"pledge.implementation:{participant.id}:{commitment.id}", now)
    _stale_if(implementation, "implementation", expected_version)
    after = {"status": status, "evidence_md": evidence_md, "evidence_links": evidence_links,
             "last_reviewed_on": last_reviewed_on}
    if implementation is None:
        implementation = CommitmentImplementation(
            participant_id=participant.id, commitment_id=commitment.id, version=1,
            updated_by_id=getattr(actor, "id", None), updated_at=now, **after)
        db.session.add(implementation)
        db.session.flush()
        changes = history.created(history.snapshot(after, IMPLEMENTATION_FIELDS))
        changes["commitment"] = [None, commitment.number]
        verb = "created"
    else:
        changes = history.diff(history.snapshot(implementation, IMPLEMENTATION_FIELDS),
                               history.snapshot(after, IMPLEMENTATION_FIELDS))
        if not changes:
            return None
        for field, value in after.items():
            setattr(implementation, field, value)
        implementation.version += 1
        implementation.updated_by_id = getattr(actor, "id", None)
        implementation.updated_at = now
        db.session.flush()
        verb = "updated"
    # Labelled "Ghana · 3": the participant and the commitment's number.
    _record(actor, "implementation", implementation.id, verb, changes, participant, now,
            version=implementation.version, label=f"{participant.name} · {commitment.number}")
    idempotency.remember(key, f"implementation:{implementation.id}")
    return implementation


def _set_actions(implementation, actor, actions, now):
    before = sorted(a.id for a in implementation.actions)
    implementation.actions = sorted(actions, key=lambda a: a.id)
    after = sorted(a.id for a in implementation.actions)
    if before == after:
        return False
    implementation.version += 1
    implementation.updated_at = now
    db.session.flush()
    participant = implementation.participant
    _record(actor, "implementation", implementation.id, "updated",
            {"action_ids": [before, after]}, participant, now, version=implementation.version,
            label=f"{participant.name} · {implementation.commitment.number}")
    return True


def link_action(implementation, actor, action, *, now):
    """Link an action item to a commitment implementation (linking it twice adds nothing)."""
    if any(a.id == action.id for a in implementation.actions):
        return False
    return _set_actions(implementation, actor, list(implementation.actions) + [action], now)


def unlink_action(implementation, actor, action, *, now):
    return _set_actions(implementation, actor,
                        [a for a in implementation.actions if a.id != action.id], now)


def focal_points_of(participant):
    return db.session.scalars(select(FocalPoint).where(
        FocalPoint.participant_id == participant.id).order_by(FocalPoint.id)).all()


def grant_focal_point(person, participant, actor, *, now):
    """Coordinators make one of a participant's own people its focal point."""
    if person.participant_id != participant.id:
        raise ValidationError({"person_id": _("A focal point is one of the participant's own "
                                              "people.")})
    if not person.is_active_account:
        raise ValidationError({"person_id": _("This account is deactivated.")})
    existing = db.session.scalar(select(FocalPoint).where(
        FocalPoint.participant_id == participant.id, FocalPoint.person_id == person.id))
    if existing is not None:
        return None
    row = FocalPoint(person_id=person.id, participant_id=participant.id,
                     granted_by_id=getattr(actor, "id", None), granted_at=now)
    db.session.add(row)
    db.session.flush()
    _record(actor, "focal_point", row.id, "granted", {"person_id": [None, person.name]},
            participant, now)
    return row


def revoke_focal_point(person, participant, actor, *, now):
    row = db.session.scalar(select(FocalPoint).where(
        FocalPoint.participant_id == participant.id, FocalPoint.person_id == person.id))
    if row is None:
        return None
    _record(actor, "focal_point", row.id, "revoked", {"person_id": [person.name, None]},
            participant, now)
    db.session.delete(row)
    db.session.flush()
    return row
