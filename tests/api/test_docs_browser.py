"""The API docs page renders in real Chromium from local files only."""


def test_docs_page_renders_locally(live_server, page):
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(live_server) else None)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/api/v1/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/actions/{action_id}/progress") \
        .first.wait_for()
    assert page.get_by_text("Coalition working-group tracker API").first.is_visible()
    assert outside == [] and errors == []
