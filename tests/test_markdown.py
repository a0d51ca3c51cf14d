"""Issue 10 finding 5: Markdown input is bounded and every check runs in linear time."""

import time

import pytest

from wg import markdown
from wg.errors import ValidationError

HOSTILE = ["[", "![[", "[a](", "*a", "**a", "_a ", "<a", "`", "```\n", "> ", "&#", "[a](<"]


@pytest.mark.parametrize("unit", HOSTILE)
def test_one_megabyte_of_hostile_text_is_refused_fast(unit):
    text = unit * (1_000_000 // len(unit))
    start = time.perf_counter()
    with pytest.raises(ValidationError):
        markdown.check(text)
    markdown.render(text)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("unit", ["[", "![[", "[a](", "**a", "<a"])
def test_longest_allowed_hostile_text_renders_in_linear_time(unit):
    # 20 KB of "[" took over a minute with Python-Markdown; linear parsing takes ~0.2 s.
    text = unit * (20_000 // len(unit))
    start = time.perf_counter()
    markdown.has_html(text)
    markdown.render(text)
    assert time.perf_counter() - start < 2.0


def test_full_allowed_length_of_the_worst_input_stays_bounded():
    # measured ~1 s per 100,000 "[" on an idle core; generous bound for a shared machine
    text = "[" * markdown.MAX_LENGTH
    start = time.perf_counter()
    markdown.has_html(text)
    markdown.render(text)
    assert time.perf_counter() - start < 8.0


def test_html_outside_code_is_refused_and_inside_code_allowed():
    with pytest.raises(ValidationError):
        markdown.check("Hello <script>alert(1)</script>")
    markdown.check("Use `<script>` and\n\n```\n<b>x</b>\n```\n")
    html = markdown.render("**Agreed** [x](javascript:alert(1)) [y](https://ok.example)")
    assert "<strong>Agreed</strong>" in html and "javascript" not in html
    assert 'href="https://ok.example"' in html
