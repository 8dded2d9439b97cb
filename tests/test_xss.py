"""Markdown from any user goes through one sanitiser: nothing executable survives, in the HTML or in a browser."""
from __future__ import annotations

import copy
from html.parser import HTMLParser

import pytest

from app.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "![img](x\" onerror=\"alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"#\" onclick=\"alert(1)\">x</a>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=\"x\" /onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<base href=javascript:alert(1)//>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<table><td background=javascript:alert(1)>x</td></table>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<img src=x onerror=alert(1)//",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<p>broken <b>tags <i>everywhere",
]


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("vector", VECTORS)
def test_nothing_executable_survives_the_sanitiser(vector):
    html = str(render_markdown(vector))
    collector = Collector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, (vector, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (vector, html)
            assert name in ALLOWED_ATTRIBUTES.get(tag, []) or name == "rel", (vector, html)
            if name == "href":
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto") or ":" not in value, (vector, html)
    lowered = html.lower()
    for bad in ("<script", "<svg", "<iframe", "<object", "<embed", "<style", "<img", "<meta", "<base", "<form",
                "<input", "<math", "javascript:", "vbscript:", "data:text"):
        assert bad not in lowered or (bad.startswith("<") is False and bad not in _attribute_values(collector)), (vector, html)


def _attribute_values(collector):
    return " ".join(v or "" for _, attrs in collector.tags for v in attrs.values()).lower()


def test_safe_markdown_still_works():
    html = str(render_markdown("**Bold**, *italic*\n\n- one\n- two\n\n[link](https://example.org)"))
    assert "<strong>Bold</strong>" in html and "<em>italic</em>" in html and "<li>one</li>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.browser
def test_no_dialog_opens_in_a_real_browser(page, app):
    """Every vector written into a plan, submitted, reviewed and shown: no alert ever fires."""
    from app.db import db
    from app.plans import services as plan_services
    from app.plans.states import PlanState
    from app.reviews import services as review_services
    from tests.plan_helpers import GOOD_CONTENT, World

    world = World()
    content = copy.deepcopy(GOOD_CONTENT)
    corpus = "\n\n".join(VECTORS)
    for key in content["sections"]:
        content["sections"][key] = corpus
    content["goals"][0]["text"] = VECTORS[2]
    content["measures"][0]["what"] = VECTORS[3]
    world.write(content)
    world.to_state(PlanState.submitted)
    plan = world.plan
    plan.reviewer_id = world.reviewer.id
    review_services.save_review(plan, world.reviewer, scores={"voice": {"level": "solid", "comment": VECTORS[0]}},
                                overall=corpus)
    review_services.add_comment(plan, world.reviewer, key="what_matters", quote="<script>alert(1)</script>",
                                start=None, body=VECTORS[5])
    review_services.release(plan, world.reviewer)
    plan_services.save_draft(plan, world.owner, plan.save_token, content)
    db.session.commit()

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/login")
    page.locator("#email").fill(world.owner.email)
    page.locator("#password").fill("correct horse battery")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    for url in (f"/plans/{plan.id}", f"/plans/{plan.id}/versions/1", f"/plans/{plan.id}/print",
                f"/plans/{plan.id}/feedback", f"/plans/{plan.id}/history"):
        page.goto(url)
        page.wait_for_load_state("load")
        for button in page.locator("button.preview-toggle").all()[:2]:
            button.click()
        page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("window.__xss === undefined")
