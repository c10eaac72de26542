"""Hostile Markdown and HTML never reach a page as markup."""
import pytest
from bs4 import BeautifulSoup

from reunify.content.sanitize import markdown_to_html

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt&colon;alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"x.swf\"></object>",
    "<form action=\"https://evil.example\"><input name=p></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<style>body{display:none}</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<svg><script>alert(1)</script></svg>",
    "<div><p><scr<script>ipt>alert(1)</script></p></div>",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_neutralised(text):
    soup = BeautifulSoup(markdown_to_html(text), "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in {"script", "iframe", "object", "form", "input", "meta", "style",
                                "svg"}
        for name, value in tag.attrs.items():
            assert not name.startswith("on")
            assert name != "style"
            if name in ("href", "src"):
                assert value.split(":")[0].lower() in ("http", "https", "mailto", "tel") \
                    or ":" not in value


def test_ordinary_markdown_survives():
    soup = BeautifulSoup(markdown_to_html("## Step\n\nSee [the guide](https://example.org)."),
                         "html.parser")
    assert soup.h2.get_text() == "Step"
    link = soup.a
    assert link["href"] == "https://example.org" and "noopener" in link["rel"]
