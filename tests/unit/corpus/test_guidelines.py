"""The guidelines sanitiser with hostile Markdown: nothing that runs script survives."""

import re

import pytest

from annotator.corpus.guidelines import render_guidelines

HOSTILE = [
    "<script>alert(1)</script>",
    "Text <img src=x onerror=alert(1)>",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)></svg>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "![x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>x</details>",
    "```\n</code><script>alert(1)</script>\n```",
    "<scr<script>ipt>alert(1)</script>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_keeps_no_script_handler_or_javascript_link(markdown):
    html = render_guidelines(markdown).lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "data:text" not in html
    assert "<iframe" not in html and "<svg" not in html and "<style" not in html and "<form" not in html
    assert not re.search(r"\son[a-z]+\s*=", html), html


def test_markdown_renders_emphasis_lists_and_safe_links():
    html = render_guidelines("**Claims** are *spans*.\n\n- one\n- two\n\n[docs](https://example.org/a)")
    assert "<strong>Claims</strong>" in html and "<em>spans</em>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.org/a"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_empty_guidelines_render_to_nothing():
    assert render_guidelines("") == ""
    assert render_guidelines("   \n") == ""
