"""Issue 10 finding 4: login throttling per (address, account) and per address, shared across
workers through Redis, behind a configurable number of trusted proxies."""

import uuid

import pytest

from tests import factories as f
from wg import create_app
from wg.config import TestConfig
from wg.extensions import db, limiter

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture()
def limited_app(app, database_url, monkeypatch):
    """A second app (a 'worker') with rate limits on, counting in Redis under a fresh prefix."""
    prefix = f"wg-test-{uuid.uuid4().hex[:8]}"

    def make(trusted_proxies=0):
        config = TestConfig(database_url)
        config.RATELIMIT_ENABLED = True
        config.RATELIMIT_STORAGE_URI = REDIS
        config.RATELIMIT_KEY_PREFIX = prefix
        config.TRUSTED_PROXIES = trusted_proxies
        return create_app(config)

    with app.app_context():
        f.person(email="victim@example.org")
        db.session.commit()
    yield make
    limiter.init_app(app)  # the shared limiter goes back to the suite's settings (off, memory)


def _fail(client, addr, email="victim@example.org", headers=None):
    from tests.conftest import CSRFClient

    web = CSRFClient(client)
    token = web.token("/login")
    return client.post("/login", data={"csrf_token": token, "email": email, "password": "wrong"},
                       environ_base={"REMOTE_ADDR": addr}, headers=headers or {})


def test_account_locks_per_address_not_for_everyone(limited_app):
    worker_a = limited_app()
    client = worker_a.test_client()
    for _ in range(5):
        assert _fail(client, "203.0.113.5").status_code == 200
    locked = _fail(client, "203.0.113.5")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    # the same account from another address still gets its normal answer
    assert _fail(worker_a.test_client(), "198.51.100.7").status_code == 200

    # a second worker (new connection to the shared store) sees the same counters
    worker_b = limited_app()
    assert _fail(worker_b.test_client(), "203.0.113.5").status_code == 429


def test_per_address_limit_across_accounts(limited_app):
    client = limited_app().test_client()
    codes = [_fail(client, "192.0.2.9", email=f"p{i}@example.org").status_code
             for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_trusted_proxies_decide_the_client_address(limited_app):
    # Without trusted proxies X-Forwarded-For is ignored: a client cannot pick its address.
    client = limited_app().test_client()
    for i in range(5):
        _fail(client, "10.0.0.1", headers={"X-Forwarded-For": f"198.51.100.{i}"})
    assert _fail(client, "10.0.0.1", headers={"X-Forwarded-For": "198.51.100.99"}).status_code \
        == 429
    # Behind one trusted proxy, the forwarded address is the client's.
    client = limited_app(trusted_proxies=1).test_client()
    for _ in range(5):
        _fail(client, "10.0.0.2", headers={"X-Forwarded-For": "198.51.100.50"})
    assert _fail(client, "10.0.0.2", headers={"X-Forwarded-For": "198.51.100.50"}).status_code \
        == 429
    assert _fail(client, "10.0.0.2", headers={"X-Forwarded-For": "198.51.100.51"}).status_code \
        == 200
