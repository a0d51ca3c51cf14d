"""Issue 10 finding 5: Markdown input is bounded; hostile input is refused or rendered whole.

How fast (linear time) is measured in `make bench` (bench/extras.py markdown_hostile), not here.
"""

import pytest

from wg import markdown
from wg.errors import ValidationError

HOSTILE = ["[", "![[", "[a](", "*a", "**a", "_a ", "<a", "`", "```\n", "> ", "&#", "[a](<"]


@pytest.mark.parametrize("unit", HOSTILE)
def test_one_megabyte_of_hostile_text_is_refused(unit):
    text = unit * (1_000_000 // len(unit))
    with pytest.raises(ValidationError):
        markdown.check(text)
    html = markdown.render(text)
    assert "<script" not in html


@pytest.mark.parametrize("unit", ["[", "![[", "[a](", "**a", "<a"])
def test_long_hostile_text_renders_safely(unit):
    # 20 KB of "[" took over a minute with Python-Markdown; ours is timed in make bench.
    text = unit * (20_000 // len(unit))
    html = markdown.render(text)
    assert html.strip() and "<script" not in html


def test_full_allowed_length_of_the_worst_input_renders_whole():
    text = "[" * markdown.MAX_LENGTH
    assert not markdown.has_html(text)
    html = markdown.render(text)
    # Nothing of the text is lost: every bracket is in the output.
    assert html.count("[") == markdown.MAX_LENGTH


def test_html_outside_code_is_refused_and_inside_code_allowed():
    with pytest.raises(ValidationError):
        markdown.check("Hello <script>alert(1)</script>")
    markdown.check("Use `<script>` and\n\n```\n<b>x</b>\n```\n")
    html = markdown.render("**Agreed** [x](javascript:alert(1)) [y](https://ok.example)")
    assert "<strong>Agreed</strong>" in html and "javascript" not in html
    assert 'href="https://ok.example"' in html
