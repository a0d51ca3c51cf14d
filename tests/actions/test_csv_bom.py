"""CSV downloads start with a UTF-8 byte-order mark, so Excel on Windows reads Arabic and
Cyrillic names; `?excel=0` leaves it out for scripts; the bulk upload takes either."""

import csv
import io
from datetime import date

import pytest

from tests import factories as f
from wg.extensions import db

BOM = b"\xef\xbb\xbf"
ARABIC, CYRILLIC = "مشاركة بيانات السلائف", "Обмен данными о прекурсорах"


@pytest.fixture()
def world(app, login):
    with app.app_context():
        w = f.coalition()
        g = w["groups"]["SWG1.1"]
        owner = f.person(name="Мария Иванова", participant_code="RUS")
        f.membership(owner, g)
        ids = [f.action(g, ARABIC, due_date=date(2030, 1, 1)).id,
               f.action(g, CYRILLIC, owner=owner, due_date=date(2030, 1, 1)).id]
        db.session.commit()
    return w, ids


CSV_URLS = ["/actions/export.csv?group=swg1-1", "/actions/bulk/swg1-1/open-actions.csv",
            "/admin/audit.csv", "/rollups/export.csv", "/rollups/participants.csv",
            "/rollups/trend.csv", "/rollups/groups/wg1/trend.csv"]


@pytest.mark.parametrize("url", CSV_URLS)
def test_every_csv_download_has_a_bom_by_default_and_none_with_excel_0(world, login, url):
    w, _ = world
    web = login("coordinator@example.org" if "actions" not in url else "chair@example.org")
    with_bom = web.get(url)
    assert with_bom.status_code == 200 and with_bom.mimetype == "text/csv"
    body = with_bom.get_data()
    assert body.startswith(BOM) and not body[3:].startswith(BOM)
    sep = "&" if "?" in url else "?"
    plain = web.get(f"{url}{sep}excel=0").get_data()
    assert not plain.startswith(BOM)
    assert body[3:] == plain  # the same bytes otherwise


def test_arabic_and_cyrillic_survive_both_ways(world, login):
    w, ids = world
    web = login("chair@example.org")
    text = web.get("/actions/export.csv?group=swg1-1&headers=codes").get_data().decode("utf-8-sig")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(text))}
    assert rows[ids[0]]["title"] == ARABIC
    assert rows[ids[1]]["title"] == CYRILLIC and rows[ids[1]]["owner"] == "Мария Иванова"
    plain = web.get("/actions/export.csv?group=swg1-1&excel=0").get_data().decode("utf-8")
    assert ARABIC in plain and CYRILLIC in plain


@pytest.mark.parametrize("bom", [True, False])
def test_bulk_upload_reads_a_sheet_with_or_without_the_bom(world, login, bom):
    w, ids = world
    web = login("chair@example.org")
    sheet = web.get("/actions/bulk/swg1-1/open-actions.csv" + ("" if bom else "?excel=0")).get_data()
    assert sheet.startswith(BOM) is bom
    rows = list(csv.DictReader(io.StringIO(sheet.decode("utf-8-sig"))))
    for row in rows:
        row.update(new_status="in_progress", new_progress="40", note="Данные переданы")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    data = (BOM if bom else b"") + out.getvalue().encode()
    page = web.post("/actions/bulk/swg1-1", {"file": (io.BytesIO(data), "sheet.csv")},
                    content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and ARABIC in html and CYRILLIC in html
    assert "missing" not in html.lower()
