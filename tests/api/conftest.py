"""API fixtures: the coalition with one token per role, and a client that sends them."""

import pytest

from tests import factories
from wg.api import tokens
from wg.extensions import db


class ApiClient:
    """The Flask test client with a Bearer token on every request (no cookies)."""

    def __init__(self, client, token):
        self.client = client
        self.token = token

    def open(self, path, method="GET", headers=None, **kwargs):
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.open(path, "GET", **kwargs)

    def post(self, path, **kwargs):
        return self.open(path, "POST", **kwargs)

    def put(self, path, **kwargs):
        return self.open(path, "PUT", **kwargs)


class World(dict):
    """Ids and token secrets; `person(role)` loads a person in the current app context."""

    def person(self, role):
        from wg.auth.models import Person

        return db.session.get(Person, self["people"][role])


@pytest.fixture()
def world(app, now):
    """The coalition, a read+write token for every role, and an action of SWG1.1.

    Built in its own application context, so requests made by the tests get their own
    (request-scoped state such as the rate limiter's does not leak between requests).
    """
    with app.app_context():
        c = factories.coalition()
        secrets = {}
        for role, person in c["people"].items():
            _token, secrets[role] = tokens.create_token(person, person, f"{role} sync",
                                                        "read write", None, now)
        _token, secrets["member_read"] = tokens.create_token(
            c["people"]["member"], c["people"]["member"], "read only", "read", None, now)
        action = factories.action(c["groups"]["SWG1.1"], owner=c["people"]["member"],
                                  actor=c["people"]["chair"])
        db.session.commit()
        world = World(people={r: p.id for r, p in c["people"].items()},
                      groups={code: g.id for code, g in c["groups"].items()},
                      secrets=secrets, action_id=action.id)
        db.session.remove()
    return world


@pytest.fixture()
def api(app, world):
    """api(role) -> an ApiClient with that role's token (a fresh test client each time)."""
    return lambda role: ApiClient(app.test_client(), world["secrets"].get(role, role))
