from tests import factories
from wg.extensions import db


def test_members_page_groups_by_country_filters_and_pages(app, login):
    with app.app_context():
        c = factories.coalition()
        group = c["groups"]["SWG1.1"]
        for i in range(120):
            factories.membership(factories.person(f"Expert {i:03d}", participant_code="GHA" if i % 2 else "ITA"),
                                 group)
        db.session.commit()
    web = login("member@example.org")
    page = web.get("/groups/swg1-1").get_data(as_text=True)
    assert "All 122 members by name" in page and "members?participant=GHA" in page
    first = web.get("/groups/swg1-1/members").get_data(as_text=True)
    assert "(122)" in first and "Expert 001" in first and "page=2" in first
    assert first.count("<tr") <= 52  # 50 a page
    last = web.get("/groups/swg1-1/members?page=3").get_data(as_text=True).split("<tbody")[1]
    beyond = web.get("/groups/swg1-1/members?page=99").get_data(as_text=True)
    assert beyond.split("<tbody")[1] == last  # past the end: the last page
    assert "Expert 000" in web.get("/groups/swg1-1/members?page=2").get_data(as_text=True)
    ghana = web.get("/groups/swg1-1/members?participant=GHA").get_data(as_text=True)
    assert "Expert 001" in ghana and "Expert 000" not in ghana and "(61 of 122)" in ghana
    chair = web.get("/groups/swg1-1/members?q=cha").get_data(as_text=True)
    assert "Cha Chair" in chair and "Chair</span>" in chair
    assert web.get("/groups/swg3-2/members").status_code == 403  # not their group
