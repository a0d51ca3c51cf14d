"""Pledge services: signatures (future refused, corrections with history, version checks,
repeats), commitment texts, implementations, linked actions and focal points."""

from datetime import date, timedelta

import pytest

from tests import factories
from tests.conftest import NOW
from wg import idempotency
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.pledge import services as pledge
from wg.pledge.models import ImplementationStatus, PledgeCommitment, PledgeSignature


def _setup():
    c = factories.coalition()
    return c["people"]["coordinator"], factories.participant("PER")


def _entries(participant):
    return [e for e in history.entries_for("participant", participant.id)
            if e.object_type != "participant"]


def test_seed_has_five_commitments_and_eleven_core_signatures(ctx):
    factories.coalition()
    numbers = [c.number for c in db.session.query(PledgeCommitment).order_by("number")]
    assert numbers == [1, 2, 3, 4, 5]
    signatures = db.session.query(PledgeSignature).all()
    assert len(signatures) == 11
    assert {s.signed_on for s in signatures} == {date(2024, 9, 24)}
    from wg.data.seed import seed_structure

    assert seed_structure() == 0  # idempotent


def test_future_date_refused_with_a_clear_message(ctx):
    coord, peru = _setup()
    with pytest.raises(ValidationError) as exc:
        pledge.sign(peru, coord, signed_on=NOW.date() + timedelta(days=1), now=NOW)
    assert "future" in exc.value.errors["signed_on"]
    assert pledge.signature_of(peru) is None
    # Today is fine.
    assert pledge.sign(peru, coord, signed_on=NOW.date(), now=NOW).signed_on == NOW.date()


def test_a_signature_before_the_pledge_existed_is_refused(ctx):
    coord, peru = _setup()
    with pytest.raises(ValidationError) as exc:
        pledge.sign(peru, coord, signed_on=date(2020, 1, 1), now=NOW)
    assert "opened for signature on" in exc.value.errors["signed_on"]
    assert pledge.signature_of(peru) is None
    with pytest.raises(ValidationError):
        pledge.sign(peru, coord, signed_on=pledge.PLEDGE_OPENED_ON - timedelta(days=1), now=NOW)
    # The day it opened is fine.
    assert pledge.sign(peru, coord, signed_on=pledge.PLEDGE_OPENED_ON, now=NOW).signed_on == \
        date(2024, 9, 24)


def test_correction_needs_a_reason_and_history_keeps_the_old_date(ctx):
    coord, peru = _setup()
    pledge.sign(peru, coord, signed_on=date(2025, 3, 1), signatory_name="Ana Ruiz", now=NOW,
                expected_version=0)
    with pytest.raises(ValidationError) as exc:
        pledge.sign(peru, coord, signed_on=date(2025, 3, 2), signatory_name="Ana Ruiz", now=NOW,
                    expected_version=1)
    assert "reason" in exc.value.errors
    pledge.sign(peru, coord, signed_on=date(2025, 3, 2), signatory_name="Ana Ruiz", now=NOW,
                expected_version=1, reason="The note verbale is dated the 2nd")
    entries = _entries(peru)
    assert [e.verb for e in entries] == ["signed", "signature_corrected"]
    assert history.changes_of(entries[1]) == {"signed_on": ["2025-03-01", "2025-03-02"]}
    assert entries[1].reason == "The note verbale is dated the 2nd"
    signature = pledge.signature_of(peru)
    assert signature.signed_on == date(2025, 3, 2) and signature.version == 2
    # Other fields change without a reason, as an ordinary edit.
    pledge.sign(peru, coord, signed_on=date(2025, 3, 2), signatory_name="Ana Ruiz Paz", now=NOW,
                expected_version=2)
    assert _entries(peru)[-1].verb == "updated"


def test_stale_signature_edit_refused(ctx):
    coord, peru = _setup()
    pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW, expected_version=0)
    # A second form opened before the first save (it saw no signature: version 0).
    with pytest.raises(history.StaleEdit):
        pledge.sign(peru, coord, signed_on=date(2025, 4, 1), now=NOW, expected_version=0,
                    reason="x")
    assert pledge.signature_of(peru).signed_on == date(2025, 3, 1)


def test_repeated_submit_records_nothing_new(ctx):
    coord, peru = _setup()
    key = idempotency.new_key()
    pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW, expected_version=0, key=key)
    with pytest.raises(idempotency.AlreadyDone):
        pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW, expected_version=0,
                    key=key)
    # The same values again (a new form) change nothing and write no history.
    assert pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW,
                       expected_version=1) is None
    assert len(_entries(peru)) == 1


def test_withdraw_needs_a_reason_and_keeps_history(ctx):
    coord, peru = _setup()
    pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW)
    with pytest.raises(ValidationError):
        pledge.withdraw(peru, coord, reason="", now=NOW)
    pledge.withdraw(peru, coord, reason="Recorded for the wrong country", now=NOW,
                    expected_version=1)
    assert pledge.signature_of(peru) is None and not peru.has_signed_pledge
    assert [e.verb for e in _entries(peru)] == ["signed", "withdrawn"]


def test_bad_instrument_link_refused(ctx):
    coord, peru = _setup()
    with pytest.raises(ValidationError) as exc:
        pledge.sign(peru, coord, signed_on=date(2025, 3, 1), instrument_url="javascript:alert(1)",
                    now=NOW)
    assert "instrument_url" in exc.value.errors


def test_commitment_text_edit_versioned_and_translated_until_edited(ctx, app):
    coord, _peru = _setup()
    first = db.session.query(PledgeCommitment).filter_by(number=1).one()
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        from flask_babel import refresh

        refresh()
        from flask_babel import gettext

        assert gettext(first.text) != first.text
        assert pledge.commitment_display_text(first) != first.text  # the catalog's French
    pledge.edit_commitment(first, coord, text="Regulate every relevant drug and precursor.",
                           now=NOW, expected_version=1)
    with pytest.raises(history.StaleEdit):
        pledge.edit_commitment(first, coord, text="Something else", now=NOW, expected_version=1)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert pledge.commitment_display_text(first) == "Regulate every relevant drug and precursor."
    entries = history.entries_for("pledge_commitment", first.id)
    assert history.changes_of(entries[0])["text"][0].startswith("Regulate all relevant")


def test_implementation_rules(ctx):
    coord, peru = _setup()
    commitment = db.session.query(PledgeCommitment).filter_by(number=2).one()
    with pytest.raises(ValidationError):  # not a signatory yet
        pledge.update_implementation(peru, commitment, coord, status="in_progress", now=NOW)
    pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW)
    with pytest.raises(ValidationError) as exc:
        pledge.update_implementation(peru, commitment, coord, status="done", now=NOW,
                                     last_reviewed_on=NOW.date() + timedelta(days=2),
                                     evidence_links="not a link")
    assert set(exc.value.errors) == {"status", "last_reviewed_on", "evidence_links"}
    record = pledge.update_implementation(
        peru, commitment, coord, status="in_progress", evidence_md="Bill **drafted**.",
        evidence_links="https://example.org/bill\n\n", last_reviewed_on=date(2026, 3, 1),
        now=NOW, expected_version=0)
    assert record.status is ImplementationStatus.in_progress and record.links == [
        "https://example.org/bill"]
    with pytest.raises(history.StaleEdit):
        pledge.update_implementation(peru, commitment, coord, status="in_place", now=NOW,
                                     expected_version=0)
    assert pledge.update_implementation(
        peru, commitment, coord, status="in_progress", evidence_md="Bill **drafted**.",
        evidence_links="https://example.org/bill", last_reviewed_on=date(2026, 3, 1), now=NOW,
        expected_version=1) is None  # nothing changed
    pledge.update_implementation(peru, commitment, coord, status="in_place",
                                 evidence_md="Law adopted.", now=NOW, expected_version=1)
    verbs = [(e.object_type, e.verb) for e in _entries(peru)]
    assert verbs == [("pledge_signature", "signed"), ("implementation", "created"),
                     ("implementation", "updated")]
    assert history.changes_of(_entries(peru)[-1])["status"] == ["in_progress", "in_place"]


def test_link_and_unlink_actions(ctx):
    coord, peru = _setup()
    pledge.sign(peru, coord, signed_on=date(2025, 3, 1), now=NOW)
    commitment = db.session.query(PledgeCommitment).filter_by(number=1).one()
    record = pledge.update_implementation(peru, commitment, coord, status="in_progress", now=NOW)
    swg = factories.group("SWG1.1")
    factories.membership(factories.person(participant_code="PER"), swg)
    action = factories.action(swg, participants=[peru])
    assert pledge.link_action(record, coord, action, now=NOW)
    assert not pledge.link_action(record, coord, action, now=NOW)  # twice adds nothing
    assert [a.id for a in record.actions] == [action.id]
    assert pledge.unlink_action(record, coord, action, now=NOW)
    assert record.actions == []
    changes = [history.changes_of(e).get("action_ids") for e in _entries(peru)[-2:]]
    assert changes == [[[], [action.id]], [[action.id], []]]


def test_focal_points_granted_to_own_people_only(ctx):
    coord, peru = _setup()
    peruvian = factories.person("Rosa Quispe", participant_code="PER")
    mexican = factories.person("Juan Pérez", participant_code="MEX")
    with pytest.raises(ValidationError):
        pledge.grant_focal_point(mexican, peru, coord, now=NOW)
    assert pledge.grant_focal_point(peruvian, peru, coord, now=NOW) is not None
    assert pledge.grant_focal_point(peruvian, peru, coord, now=NOW) is None  # already
    from wg import permissions

    assert permissions.can_update_implementation(peruvian, peru)
    assert not permissions.can_update_implementation(mexican, peru)
    pledge.revoke_focal_point(peruvian, peru, coord, now=NOW)
    permissions.forget_roles(peruvian)
    assert not permissions.can_update_implementation(peruvian, peru)
    assert [e.verb for e in _entries(peru)] == ["granted", "revoked"]
