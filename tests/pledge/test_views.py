"""The Pledge pages: who may do what, forms that keep what was typed, the CSV."""

import csv
import io
from datetime import date

import pytest

from tests import factories
from wg.auth.models import Person
from wg.extensions import db
from wg.participants.models import Participant
from wg.pledge import services as pledge
from wg.pledge.models import CommitmentImplementation, PledgeSignature


@pytest.fixture()
def coalition(app):
    with app.app_context():
        c = factories.coalition()
        ghana = factories.participant("GHA")
        member = c["people"]["member"]  # a Ghanaian
        pledge.grant_focal_point(member, ghana, c["people"]["coordinator"],
                                 now=pledge_now())
        factories.participant("PER")
        db.session.commit()
        return {role: p.email for role, p in c["people"].items()}


def pledge_now():
    from tests.conftest import NOW

    return NOW


def _impl_form(number, **values):
    data = {"status": "in_progress", "evidence_md": "", "evidence_links": "",
            "last_reviewed_on": "", "version": "0"}
    data.update(values)
    return {f"c{number}-{k}": v for k, v in data.items()}


ROLES = ["coordinator", "lead", "chair", "member", "other_member", "outsider"]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, login, coalition, role):
    web = login(coalition[role])
    page = "/participants/GHA/pledge"
    # Updating Ghana's commitment 1: coordinators and Ghana's focal point (the member).
    response = web.post("/participants/GHA/pledge/commitments/1", _impl_form(1),
                        form_page=page)
    assert response.status_code == (302 if role in ("coordinator", "member") else 403), role
    # Recording a signature and editing a commitment's text: coordinators only.
    response = web.post("/participants/PER/pledge/signature",
                        {"signed_on": "2025-02-01", "version": "0"}, form_page=page)
    assert response.status_code == (302 if role == "coordinator" else 403), role
    response = web.post("/pledge/commitments/1/edit", {"text": "New text", "version": "1"},
                        form_page=page)
    assert response.status_code == (302 if role == "coordinator" else 403), role
    response = web.post("/participants/GHA/focal-points", {"person_id": "1"}, form_page=page)
    assert response.status_code == (302 if role == "coordinator" else 403), role
    # The focal point's page shows the update form only to those who may use it.
    html = web.get(page).get_data(as_text=True)
    assert ("Update commitment 2" in html) == (role in ("coordinator", "member")), role
    assert web.get("/participants/NOPE/pledge").status_code == 404


def test_anonymous_is_sent_to_login(client, coalition):
    assert client.get("/pledge").status_code == 302
    assert client.get("/pledge/signatures.csv").status_code == 302


def test_future_date_shows_next_to_the_field_and_keeps_the_input(app, login, coalition):
    web = login(coalition["coordinator"])
    response = web.post("/pledge", {"participant": "PER", "signed_on": "2099-01-01",
                                    "signatory_name": "Dina Boluarte", "version": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cannot be signed in the future" in html and 'value="Dina Boluarte"' in html
    assert 'is-invalid' in html
    with app.app_context():
        assert db.session.query(PledgeSignature).join(Participant).filter(
            Participant.code == "PER").count() == 0


def test_campaign_page_counts_and_records(app, login, coalition):
    web = login(coalition["coordinator"])
    html = web.get("/pledge").get_data(as_text=True)
    assert "11 of 28 participants have signed." in html
    response = web.post("/pledge", {"participant": "PER", "signed_on": "2025-02-01",
                                    "signatory_name": "Ana Ruiz", "version": "0"})
    assert response.status_code == 302
    html = web.get("/pledge").get_data(as_text=True)
    assert "12 of 28 participants have signed." in html and "Ana Ruiz" in html
    # The old admin page sends coordinators here.
    assert web.get("/admin/pledges").headers["Location"].endswith("/pledge#record")


def test_stale_implementation_edit_is_refused_with_409(app, login, coalition):
    web = login(coalition["member"])
    page = "/participants/GHA/pledge"
    assert web.post("/participants/GHA/pledge/commitments/3", _impl_form(3), form_page=page
                    ).status_code == 302
    late = web.post("/participants/GHA/pledge/commitments/3",
                    _impl_form(3, status="in_place", evidence_md="Mine"), form_page=page)
    assert late.status_code == 409 and "Mine" in late.get_data(as_text=True)
    with app.app_context():
        record = db.session.query(CommitmentImplementation).one()
        assert record.status.value == "in_progress" and record.version == 1


def test_signatures_csv_with_and_without_bom(app, login, coalition):
    with app.app_context():
        peru = db.session.query(Participant).filter_by(code="PER").one()
        pledge.sign(peru, None, signed_on=date(2025, 2, 1), signatory_name="=cmd()",
                    now=pledge_now())
        db.session.commit()
    web = login(coalition["member"])
    body = web.get("/pledge/signatures.csv").get_data()
    assert body.startswith("\ufeff".encode())
    plain = web.get("/pledge/signatures.csv?excel=0").get_data(as_text=True)
    assert not plain.startswith("\ufeff")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(plain))}
    assert rows["PER"]["signed_on"] == "2025-02-01" and rows["PER"]["signatory"] == "'=cmd()"
    assert rows["PER"]["region_code"] == "019" and rows["UNODC"]["region_code"] == "ORG"
    assert rows["USA"]["signed"] == "no" and rows["MEX"]["signed_on"] == "2024-09-24"
    assert len(rows) == 28


def test_implementation_page_shows_the_formula_and_review_list(app, login, coalition):
    web = login(coalition["outsider"])
    html = web.get("/pledge/implementation").get_data(as_text=True)
    assert "How is this computed?" in html and "Not reviewed in 12 months" in html
    assert html.count('href="/participants/') >= 11  # every core signatory is due a review


def test_forms_without_the_csrf_token_are_refused(app, login, coalition):
    web = login(coalition["coordinator"])
    response = web.client.post("/participants/GHA/pledge/commitments/1", data=_impl_form(1))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.query(CommitmentImplementation).count() == 0


def test_recording_without_a_participant_says_so_next_to_the_field(app, login, coalition):
    web = login(coalition["coordinator"])
    response = web.post("/pledge", {"participant": "", "signed_on": "2025-02-01",
                                    "version": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose the participant that signed." in html
    assert 'value="2025-02-01"' in html


def test_coordinator_grants_and_revokes_a_focal_point_from_the_admin_page(app, login, coalition):
    with app.app_context():
        peruvian = factories.person("Rosa Quispe", participant_code="PER")
        peru_id, person_id = peruvian.participant_id, peruvian.id
        db.session.commit()
    web = login(coalition["coordinator"])
    admin_page = f"/admin/participants/{peru_id}/edit"
    html = web.get(admin_page).get_data(as_text=True)
    assert "No focal point yet." in html
    # Nobody is chosen until the coordinator picks someone: an empty choice grants nothing.
    assert '<option value="" selected>Choose a person</option>' in html
    web.post("/participants/PER/focal-points", {"person_id": "", "back": "admin"},
             form_page=admin_page)
    assert "No focal point yet." in web.get(admin_page).get_data(as_text=True)
    response = web.post("/participants/PER/focal-points", {"person_id": person_id,
                                                           "back": "admin"},
                        form_page=admin_page)
    assert response.headers["Location"].endswith(admin_page)
    html = web.get(admin_page).get_data(as_text=True)
    assert "Rosa Quispe" in html and "No focal point yet." not in html
    assert "Revoke…" in html and "Yes, revoke" in html  # a second step before revoking
    web.post(f"/participants/PER/focal-points/{person_id}/revoke", {"back": "admin"},
             form_page=admin_page)
    assert "No focal point yet." in web.get(admin_page).get_data(as_text=True)


def test_focal_point_links_only_actions_they_can_see(app, login, coalition):
    with app.app_context():
        ghana = db.session.query(Participant).filter_by(code="GHA").one()
        mine = factories.action(factories.group("SWG1.1"), "Map precursor routes",
                                participants=[ghana])
        other = factories.action(factories.group("SWG3.2"), "Train peer workers")
        mine_id, other_id = mine.id, other.id
        db.session.commit()
    web = login(coalition["member"])  # Ghana's focal point, a member of SWG1.1 only
    page = "/participants/GHA/pledge"
    url = "/participants/GHA/pledge/commitments/1/actions"
    web.post(url, {"action_id": mine_id}, form_page=page)
    assert "Save the commitment" in web.get(page).get_data(as_text=True)  # no record yet
    web.post("/participants/GHA/pledge/commitments/1", _impl_form(1), form_page=page)
    refused = web.post(url, {"action_id": other_id}, form_page=page)
    assert refused.status_code == 422
    assert f"There is no action {other_id} that you can see." in refused.get_data(as_text=True)
    web.post(url, {"action_id": mine_id}, form_page=page)
    with app.app_context():
        record = db.session.query(CommitmentImplementation).one()
        assert [a.id for a in record.actions] == [mine_id]
    assert "Map precursor routes" in web.get(page).get_data(as_text=True)


def test_an_action_the_focal_point_may_not_see_keeps_its_title_hidden(app, login, coalition):
    """The Unlink button's screen-reader label says "Action N" too, not the hidden title."""
    with app.app_context():
        ghana = db.session.query(Participant).filter_by(code="GHA").one()
        coordinator = None  # the system, as in the demo data
        other = factories.action(factories.group("SWG3.2"), "Secret interdiction plan")
        from wg.pledge.models import PledgeCommitment

        commitment = db.session.query(PledgeCommitment).filter_by(number=1).one()
        record = pledge.update_implementation(ghana, commitment, coordinator,
                                              status="in_progress", evidence_md="",
                                              evidence_links="", last_reviewed_on=None,
                                              now=pledge_now())
        pledge.link_action(record, coordinator, other, now=pledge_now())
        other_id = other.id
        db.session.commit()
    html = login(coalition["member"]).get("/participants/GHA/pledge").get_data(as_text=True)
    assert f"Action {other_id}" in html and "Unlink" in html
    assert "Secret interdiction plan" not in html


def test_a_signature_date_before_the_pledge_shows_beside_the_field(app, login, coalition):
    web = login(coalition["coordinator"])
    response = web.post("/participants/PER/pledge/signature",
                        {"signed_on": "2020-01-01", "version": "0"},
                        form_page="/participants/PER/pledge")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "opened for signature on" in html
    assert 'value="2020-01-01"' in html and "is-invalid" in html


def test_correcting_a_signature_says_so_and_keeps_who_first_recorded_it(app, login, coalition):
    with app.app_context():
        peru = db.session.query(Participant).filter_by(code="PER").one()
        lead = db.session.query(Person).filter_by(email=coalition["lead"]).one()
        lead_name = lead.name
        pledge.sign(peru, lead, signed_on=date(2025, 2, 1), now=pledge_now())
        db.session.commit()
    web = login(coalition["coordinator"])
    page = "/participants/PER/pledge"
    html = web.get(page).get_data(as_text=True)
    assert "Save the correction" in html and "Record signature" not in html
    response = web.post("/participants/PER/pledge/signature",
                        {"signed_on": "2025-02-03", "reason": "Typo in the note verbale",
                         "version": "1"}, form_page=page)
    assert response.status_code == 302
    html = web.get(page).get_data(as_text=True)
    assert "The signature of Peru is corrected; signed on Monday, 3 February 2025." in html
    assert "signed the Coalition Pledge" not in html
    recorded = html.split('id="signature"')[1].split("</dl>")[0]
    assert "corrected" in recorded
    # Who first recorded it is kept; the correction names the coordinator.
    assert f"by {lead_name}" in recorded and recorded.count(" by ") == 2


def _details_of(html, number):
    """The opening <details> tag of commitment `number`'s update form."""
    before = html[:html.index(f"<summary>Update commitment {number}</summary>")]
    return before[before.rindex("<details"):]


def test_a_failed_commitment_update_shows_the_error_summary_and_its_form_open(app, login,
                                                                          coalition):
    web = login(coalition["member"])
    page = "/participants/GHA/pledge"
    response = web.post("/participants/GHA/pledge/commitments/2",
                        _impl_form(2, last_reviewed_on="2030-01-01",
                                   evidence_links="javascript:alert(1)"), form_page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert "There is a problem" in summary
    assert 'href="#c2-last_reviewed_on"' in summary and 'href="#c2-evidence_links"' in summary
    assert "open" in _details_of(html, 2) and "open" not in _details_of(html, 3)


@pytest.mark.parametrize("number", ["", "99999999"])
def test_linking_an_unknown_action_shows_the_message_beside_the_field(app, login, coalition,
                                                                     number):
    web = login(coalition["member"])
    page = "/participants/GHA/pledge"
    web.post("/participants/GHA/pledge/commitments/1", _impl_form(1), form_page=page)
    response = web.post("/participants/GHA/pledge/commitments/1/actions", {"action_id": number},
                        form_page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="link-1-error"' in html and 'href="#link-1"' in html
    assert "open" in _details_of(html, 1)
    if number:
        assert f'value="{number}"' in html


def test_removing_a_signature_without_a_reason_shows_beside_the_field(app, login, coalition):
    web = login(coalition["coordinator"])
    page = "/participants/GHA/pledge"
    response = web.post("/participants/GHA/pledge/withdraw",
                        {"withdraw-reason": "", "withdraw-version": "1"}, form_page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="withdraw-reason-error"' in html and 'href="#withdraw-reason"' in html
    signature_part = html.split('id="signature-h"')[1].split('id="impl-h"')[0]
    assert "<details class=\"mb-2\" open" in signature_part
    with app.app_context():
        assert db.session.query(PledgeSignature).join(Participant).filter(
            Participant.code == "GHA").count() == 1
