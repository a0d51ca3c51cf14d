"""The Pledge in real Chromium: a coordinator records a signature, the campaign counts it, and
the signed instrument is attached to it; a focal point updates one of their country's
commitments."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser import log_in
from tests.conftest import NOW
from tests.documents import helpers
from wg.extensions import db
from wg.pledge import services as pledge

pytestmark = pytest.mark.slow


@pytest.fixture()
def people(app):
    with app.app_context():
        c = factories.coalition()
        ghana = factories.participant("GHA")
        pledge.grant_focal_point(c["people"]["member"], ghana, c["people"]["coordinator"],
                                 now=NOW)
        factories.participant("PER")
        db.session.commit()


def test_coordinator_signs_the_pledge_for_a_participant(people, live_server, page, tmp_path):
    log_in(page, live_server, "coordinator@example.org", factories.PASSWORD)
    page.get_by_role("link", name="Pledge", exact=True).click()
    assert "11 of 28 participants have signed." in page.locator("#campaign-count").inner_text()
    page.get_by_label("Participant").select_option("PER")
    page.get_by_label("Signed on").fill("2099-01-01")
    page.get_by_label("Signatory", exact=True).fill("Ana Ruiz")
    page.get_by_role("button", name="Record signature").click()
    assert "cannot be signed in the future" in page.content()
    assert page.get_by_label("Signatory", exact=True).input_value() == "Ana Ruiz"
    page.get_by_label("Signed on").fill("2025-02-03")
    page.get_by_label("Instrument reference").fill("Note 12/2025")
    page.get_by_role("button", name="Record signature").click()
    page.wait_for_load_state()
    assert "Peru signed the Coalition Pledge on Monday, 3 February 2025." in page.content()
    assert "12 of 28 participants have signed." in page.locator("#campaign-count").inner_text()
    assert "Ana Ruiz" in page.locator("#signed-table").inner_text()
    assert "Peru" not in page.locator("#unsigned-list").inner_text()
    americas = page.locator("#regions-table tr", has_text="Americas").inner_text()
    assert "4" in americas.split()  # Canada, the Dominican Republic, Mexico and now Peru

    # The signed note verbale, attached to Peru's signature on its Pledge page.
    page.goto(f"{live_server}/participants/PER/pledge")
    section = page.locator("section", has=page.locator("#signature-h")).locator(
        '[data-documents^="pledge_signature-"]')
    section.get_by_text("Add a document").click()
    scan = tmp_path / "note-12-2025.pdf"
    scan.write_bytes(helpers.PDF)
    section.get_by_label("File").set_input_files(str(scan))
    section.get_by_label("Title").fill("Note 12/2025, signed")
    section.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Document “Note 12/2025, signed” uploaded.")).to_be_visible()
    listed = section.locator("[data-document]")
    expect(section.get_by_role("heading", name="Signed instrument")).to_be_visible()
    expect(listed).to_have_count(1)
    href = listed.get_by_role("link", name="Note 12/2025, signed").get_attribute("href")
    assert page.request.get(live_server + href).body() == helpers.PDF


def test_focal_point_updates_a_commitment(people, live_server, page):
    log_in(page, live_server, "member@example.org", factories.PASSWORD)
    page.goto(f"{live_server}/participants/GHA/pledge")
    card = page.locator("#c4")
    card.get_by_text("Update commitment 4").click()
    card.get_by_label("Status").select_option("in_place")
    card.get_by_label("Evidence").fill("Early-warning system **live** since January.")
    card.get_by_label("Links").fill("https://example.org/ews")
    card.get_by_label("Last reviewed on").fill("2026-01-15")
    card.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Commitment 4 of Ghana: In place." in page.content()
    card = page.locator("#c4")
    assert "In place" in card.inner_text() and card.locator("strong").inner_text() == "live"
    page.goto(f"{live_server}/pledge/implementation")
    row = page.locator("#commitment-rollup tbody tr").nth(3).inner_text()
    assert "9%" in row  # 1 of 11 signatories in place: 9 %
