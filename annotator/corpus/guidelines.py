"""Project guidelines: Markdown in, sanitised HTML out (pure; no Django).

Rendered with Python-Markdown (tables, fenced code, lists that follow a paragraph) and cleaned with nh3
(ammonia's allow-list): scripts, styles, event handlers, iframes and ``javascript:`` or ``data:`` links never
survive, and every link opens in a new tab without giving the page a handle on ours.
"""

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "mark", "ol", "p", "pre", "s", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["tables", "fenced_code", "sane_lists", "nl2br"]
MAX_CHARS = 100_000


def render_guidelines(text: str) -> str:
    """Sanitised HTML for the Markdown ``text`` (empty for empty text); safe to put in a page as it is."""
    if not text or not text.strip():
        return ""
    html = markdown.markdown(text[:MAX_CHARS], extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
