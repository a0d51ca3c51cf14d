import pytest


@pytest.fixture(autouse=True)
def _forget_sso_clients(request):
    """Each SSO test starts a fresh mock provider with a new signing key on an ephemeral port,
    and the app keeps one Authlib client (metadata, keys) per issuer URL for the session. When
    the system hands a later provider the port of an earlier one, the issuer URL repeats and the
    old keys fail the new provider's token (BadSignatureError, a flake seen in the PostgreSQL
    pass). Forget those clients around each test that uses the app."""
    uses_app = "app" in request.fixturenames
    if uses_app:
        request.getfixturevalue("app").extensions.pop("wg_oidc", None)
    yield
    if uses_app:
        request.getfixturevalue("app").extensions.pop("wg_oidc", None)
