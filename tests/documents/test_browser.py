"""In Chromium: a chair uploads a pre-read to a meeting, sees it listed, downloads it (the same
bytes), uploads a new version and finds it by a word of its text; a focal point updates a
commitment and attaches a document."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser import log_in
from tests.conftest import NOW
from tests.meetings.helpers import meeting_input
from wg.extensions import db
from wg.meetings import services as meetings
from wg.pledge import services as pledge

pytestmark = pytest.mark.slow

AGENDA = "Point 1: précurseurs;Point 2: données\n".encode()


@pytest.fixture()
def world(app):
    with app.app_context():
        c = factories.coalition()
        meeting = meetings.add_extra_meeting(c["groups"]["SWG1.1"], c["people"]["chair"],
                                             meeting_input(day=date(2026, 2, 3)), NOW)
        ghana = factories.participant("GHA")
        pledge.grant_focal_point(c["people"]["member"], ghana, c["people"]["coordinator"],
                                 now=NOW)
        db.session.commit()
        return {"meeting": meeting.id}


@pytest.fixture()
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_upload_list_download_and_new_version(world, live_server, tab, tmp_path):
    page = tab
    log_in(page, live_server, "chair@example.org", factories.PASSWORD)
    page.goto(f"{live_server}/meetings/{world['meeting']}")
    panel = page.locator("#documents")
    panel.get_by_text("Add a document").click()
    source = tmp_path / "agenda.csv"
    source.write_bytes(AGENDA)
    panel.get_by_label("File").set_input_files(str(source))
    panel.get_by_label("Title").fill("Ordre du jour annoté")
    panel.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Document “Ordre du jour annoté” uploaded.")).to_be_visible()
    listed = page.locator("#documents [data-document]")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("v1")
    with page.expect_download() as info:
        listed.get_by_role("link", name="Ordre du jour annoté").click()
    download = info.value
    assert download.suggested_filename == "Ordre du jour annoté.csv"
    assert open(download.path(), "rb").read() == AGENDA

    listed.get_by_text("Versions and changes").click()
    second = tmp_path / "agenda2.csv"
    second.write_bytes(AGENDA + b"Point 3: divers\n")
    listed.get_by_label("New version").set_input_files(str(second))
    listed.get_by_label("What changed").fill("Point 3 ajouté")
    listed.get_by_role("button", name="Upload new version").click()
    expect(page.get_by_text("Version 2 of “Ordre du jour annoté” uploaded.")).to_be_visible()
    expect(page.locator("#documents [data-document]")).to_contain_text("v2")
    with page.expect_download() as info:
        page.locator("#documents [data-document]").get_by_role(
            "link", name="Ordre du jour annoté").click()
    assert open(info.value.path(), "rb").read() == AGENDA + b"Point 3: divers\n"

    # Found by a word only the new version's text holds, with the word highlighted.
    box = page.get_by_role("search").get_by_label("Search")
    box.fill("divers")
    box.press("Enter")
    result = page.locator('.search-result[data-type="document"]')
    expect(result).to_have_count(1)
    expect(result.locator(".search-snippet mark").first).to_have_text("divers")
    result.get_by_role("link", name="Ordre du jour annoté").click()
    expect(page.get_by_role("heading", name="Ordre du jour annoté")).to_be_visible()


def test_focal_point_updates_a_commitment_with_a_document(world, live_server, tab, tmp_path):
    page = tab
    log_in(page, live_server, "member@example.org", factories.PASSWORD)
    page.goto(f"{live_server}/participants/GHA/pledge")
    card = page.locator("#c4")
    card.get_by_text("Update commitment 4").click()
    card.get_by_label("Status").select_option("in_place")
    card.get_by_label("Last reviewed on").fill("2026-01-15")
    card.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    card = page.locator("#c4")
    card.get_by_text("Add a document").click()
    report = tmp_path / "report.txt"
    report.write_bytes(b"National early-warning system report\n")
    card.get_by_label("File").set_input_files(str(report))
    card.get_by_label("Title").fill("Early-warning report")
    card.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Document “Early-warning report” uploaded.")).to_be_visible()
    expect(page.locator("#c4 [data-document]")).to_contain_text("Early-warning report")


def test_label_on_upload_and_remove_after_confirming_without_javascript(world, live_server,
                                                                          browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        log_in(page, live_server, "chair@example.org", factories.PASSWORD)
        page.goto(f"{live_server}/meetings/{world['meeting']}")
        panel = page.locator("#documents")
        panel.get_by_text("Add a document").click()
        source = tmp_path / "list.txt"
        source.write_bytes(b"Names\n")
        panel.get_by_label("File").set_input_files(str(source))
        panel.get_by_label("Title").fill("Informant list")
        panel.get_by_label("Sensitivity (TLP)").select_option("RED")
        panel.get_by_role("button", name="Upload", exact=True).click()
        listed = page.locator("#documents [data-document]")
        expect(listed).to_contain_text("TLP:RED")
        listed.get_by_text("Versions and changes").click()
        confirm = listed.get_by_role("button", name="Yes, remove it")
        expect(confirm).to_be_hidden()  # a second step first
        listed.locator("summary", has_text="Remove…").click()
        confirm.click()
        expect(page.get_by_text("Document “Informant list” removed.")).to_be_visible()
        expect(page.locator("#documents [data-document]")).to_have_count(0)
    finally:
        context.close()
