import pytest

from tests.i18n.catalogs import extract


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """Every string of the code and templates, freshly extracted (a Babel Catalog)."""
    return extract(tmp_path_factory.mktemp("pot"))


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """As tests/conftest.py's, except for the page tests: they share one demo coalition for the
    whole module (loading it once per test would take minutes), which empties the tables itself."""
    yield
    if "app" not in request.fixturenames or "demo_site" in request.fixturenames:
        return
    from tests.conftest import empty_tables

    with request.getfixturevalue("app").app_context():
        empty_tables()
