"""Light pages: compressed responses and static files under hashed URLs cached for a year."""

import gzip
import re


def test_pages_are_compressed_for_browsers_that_accept_it(app):
    client = app.test_client()
    plain = client.get("/login", headers={"Accept-Encoding": "identity"})
    packed = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.data) < len(plain.data) / 2
    assert gzip.decompress(packed.data).decode().startswith("<!doctype html>")


def test_static_files_have_hashed_urls_cached_for_a_year(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    urls = re.findall(r'href="(/[^"]+\.css\?v=[0-9a-f]{10})"', page)
    assert len(urls) == 2, urls  # Bootstrap and our own stylesheet
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]
    unversioned = client.get("/static/app.css")
    assert "max-age=31536000" not in (unversioned.headers.get("Cache-Control") or "")
