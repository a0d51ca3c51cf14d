import pytest


@pytest.fixture(autouse=True)
def _documents_dir(request, tmp_path, monkeypatch):
    """Each test stores its files in its own temporary directory."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(tmp_path / "documents"))
    yield
