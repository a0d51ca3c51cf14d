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


def test_kept_members_list_follows_a_new_member_and_the_language(app, login):
    """The "members by country and organization" list is kept (wg.kept) under what it shows: a
    new member's country shows at once, a kept page equals a fresh one, each language has its
    own."""
    from wg import kept
    from wg.auth.models import Person

    kept.clear()
    with app.app_context():
        c = factories.coalition()
        member_id = c["people"]["member"].id
        db.session.commit()
    web = login("member@example.org")

    def members():
        page = web.get("/groups/swg1-1").get_data(as_text=True)
        return page.split('id="members"', 1)[1].split("</section>", 1)[0]

    first = members()
    assert "participant=KEN" not in first and members() == first
    with app.app_context():
        factories.membership(factories.person("Wanjiru", participant_code="KEN"),
                             db.session.merge(c["groups"]["SWG1.1"]))
        db.session.commit()
    after = members()
    assert "participant=KEN" in after and ">Kenya</a>" in after
    kept.clear()
    assert members() == after
    with app.app_context():
        db.session.get(Person, member_id).language = "fr"
        db.session.commit()
    french = members()
    assert ">Mexique</a>" in french and ">Mexico</a>" in after and "participant=KEN" in french
