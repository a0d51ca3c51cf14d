import pytest

from tests.i18n.catalogs import extract


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """Every string of the code and templates, freshly extracted (a Babel Catalog)."""
    return extract(tmp_path_factory.mktemp("pot"))
