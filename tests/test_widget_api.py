"""The widget's server side (script, feedback route) and the page's answer HTML, without a browser."""

from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.feedback import FeedbackStore
from careerbot.schema import Answer, Source
from careerbot.service import build_service
from careerbot.settings import Settings
from careerbot.ui.answer_view import answer_html, view_of
from careerbot.ui.careers_tab import careers_list_html, profile_data
from careerbot.web.app import create_app

WIDGET_GZIP_LIMIT = 25 * 1024


@pytest.fixture
def client(fake_settings: Settings) -> TestClient:
    settings = fake_settings.model_copy(update={"rate_limit_per_minute": 3})
    return TestClient(
        create_app(build_service(settings, embeddings=LexicalFakeEmbeddings(), progress=False)),
        base_url="http://localhost",
    )


def test_widget_script_carries_its_css_and_stays_small(client: TestClient) -> None:
    script = client.get("/widget.js").text
    assert "__CAREERBOT_CSS__" not in script and ".panel" in script and "@media (max-width: 480px)" in script
    assert (
        "innerHTML" not in script and "http" not in script.split("origin = new URL", 1)[1].split("\n", 1)[0]
    )
    assert len(gzip.compress(script.encode())) < WIDGET_GZIP_LIMIT


def test_feedback_route_stores_a_rating(client: TestClient, fake_settings: Settings) -> None:
    body = {
        "question": "What does a paralegal do?",
        "answer": "Paralegals research cases [1].",
        "status": "answered",
        "rating": -1,
        "sources": [{"career": "paralegal", "title": "Paralegal", "section": "Job Description"}],
        "conversation_id": "abc123",
    }
    assert client.post("/api/feedback", json=body).json() == {"ok": True}
    rows = FeedbackStore(fake_settings.feedback_db, 30).rows()
    assert [(r.question, r.rating, r.sources[0]["career"]) for r in rows] == [
        ("What does a paralegal do?", -1, "paralegal")
    ]


@pytest.mark.parametrize(
    ("change", "status"),
    [({"rating": 5}, 422), ({"status": "great"}, 422), ({"answer": "x" * 50_001}, 422)],
)
def test_feedback_route_rejects_bad_input(client: TestClient, change: dict[str, object], status: int) -> None:
    body = {"question": "q", "answer": "a", "status": "answered", "rating": 1, **change}
    assert client.post("/api/feedback", json=body).status_code == status


def test_feedback_route_is_rate_limited(client: TestClient) -> None:
    body = {"question": "q", "answer": "a", "status": "answered", "rating": 1}
    codes = [client.post("/api/feedback", json=body).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def _source(n: int, cited: bool = True) -> Source:
    return Source(
        career="lawyer",
        title="Lawyer",
        section=f"Section {n}",
        score=1.0,
        text=f"• one {n}\n• two {n}",
        cited=cited,
    )


def test_answer_html_escapes_text_and_renumbers_citations_in_citation_order() -> None:
    sources = (_source(1), _source(2, cited=False), _source(3), _source(4))
    answer = Answer(
        text="<img src=x onerror=alert(1)> first [4] then [1], again [4], bad [9]",
        status="answered",
        sources=sources,
    )
    rendered = answer_html(answer, "a1")
    assert "<img" not in rendered and "&lt;img src=x onerror=alert(1)&gt;" in rendered
    assert (
        '<a class="cb-cite" href="#cb-src-a1-1">[1]</a> then <a class="cb-cite" href="#cb-src-a1-2">[2]</a>'
        in rendered
    )
    assert "bad [9]" in rendered  # not a source: left as text
    assert "Sources (2)" in rendered and "Section 4" in rendered and "Section 2" not in rendered
    assert "<ul><li>one 4</li><li>two 4</li></ul>" in rendered  # the source keeps its bullets
    assert "\n\n" not in rendered


def test_the_one_adapter_reads_structured_fields_when_present() -> None:
    class Point:
        def __init__(self, text: str, source: int, bullet: bool = False) -> None:
            self.text, self.source, self.bullet = text, source, bullet

    class Row:
        def __init__(self, title: str) -> None:
            self.title, self.points = title, (Point(f"{title} needs <a degree>", 1),)

    class Structured:
        text = "plain"
        status = "answered"
        kind = "comparison"
        intro = "Comparing two careers."
        comparison_aspect = "Education and Training Needed"
        comparison = (Row("Lawyer"), Row("Paralegal"))
        follow_ups = ("What does a paralegal do?", "a", "b", "c")
        more = "- extra **bold** line"
        sources = (_source(1),)

    view = view_of(Structured())
    assert view.structured and len(view.follow_ups) == 3
    rendered = answer_html(Structured(), "x")
    assert "<caption>Education and Training Needed</caption>" in rendered
    assert '<th scope="row">Paralegal</th>' in rendered and "&lt;a degree&gt;" in rendered
    assert (
        '<details class="cb-more"><summary>More from the profile</summary><ul><li>extra <strong>bold</strong>'
        in rendered
    )
    assert "plain" not in rendered  # the text is the fallback only


def test_careers_tab_groups_by_cluster_and_links_plan_b(fake_settings: Settings) -> None:
    service = build_service(fake_settings, embeddings=LexicalFakeEmbeddings(), progress=False)
    listing = careers_list_html(service.profiles)
    assert listing.count('class="cb-career"') == len(service.profiles)
    lawyer = profile_data(service.profiles, "lawyer")
    assert lawyer["title"] == "Lawyer" and lawyer["sections"][0]["items"]
    assert {"slug": "paralegal", "title": "Paralegal"} in lawyer["plan_b"]
    assert profile_data(service.profiles, "<script>") == {}
