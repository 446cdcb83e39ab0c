"""The HTTP edge in-process: header caps, unused routes, host check, Retry-After, SSE heartbeats, limiters."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from careerbot.embeddings import LexicalFakeEmbeddings
from careerbot.service import ChatService, build_service
from careerbot.settings import make_settings
from careerbot.web.app import create_app
from conftest import copy_corpus


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> ChatService:
    root = tmp_path_factory.mktemp("edge")
    settings = make_settings(
        corpus_dir=copy_corpus(root / "corpus"),
        data_dir=root / "data",
        rate_limit_per_minute=3,
        rate_limit_per_ip_per_minute=5,
        heartbeat_seconds=0.2,
        trusted_hosts=["localhost", "chat.school.example"],
    )
    return build_service(settings, embeddings=LexicalFakeEmbeddings(), progress=False)


@pytest.fixture(scope="module")
def client(service: ChatService) -> TestClient:
    return TestClient(create_app(service), base_url="http://localhost", raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/gradio_api/upload"),
        ("GET", "/gradio_api/upload_progress"),
        ("GET", "/gradio_api/dev/reload"),
        ("GET", "/monitoring"),
        ("GET", "/monitoring/summary"),
        ("GET", "/gradio_api/proxy=http://127.0.0.1:1/"),
    ],
)
def test_unused_gradio_routes_are_off(client: TestClient, method: str, path: str) -> None:
    files = {"files": ("a.txt", b"x" * 1000)} if method == "POST" else None
    response = client.request(method, path, files=files)
    assert response.status_code == 404
    assert "/tmp" not in response.text and "gradio" not in response.text.lower()


def test_the_page_still_loads(client: TestClient) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/gradio_api/info").status_code == 200  # a route the page uses is untouched


def test_too_many_or_too_large_headers_get_431(client: TestClient) -> None:
    many = {f"x-h{i}": "1" for i in range(150)}
    assert client.get("/healthz", headers=many).status_code == 431
    assert client.get("/healthz", headers={"x-big": "a" * 40_000}).status_code == 431
    assert client.get("/healthz", headers={f"x-h{i}": "1" for i in range(30)}).status_code == 200


def test_chunked_body_over_the_cap_gets_413(client: TestClient) -> None:
    # TestClient hands the app the whole body; test_http_server.py checks that reading stops at the cap.
    chunks = (b"a" * 65536 for _ in range(64))  # 4 MB, no Content-Length: sent chunked
    response = client.post("/api/chat", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "Request too large."}
    gradio = client.post("/gradio_api/queue/join", content=(b"a" * 65536 for _ in range(64)))
    assert gradio.status_code == 413  # every route, not only the API


@pytest.mark.parametrize(
    ("host", "origin", "status"),
    [
        ("localhost", None, 200),
        ("chat.school.example", "http://chat.school.example", 200),  # a trusted host, same site
        ("evil.example", "http://evil.example", 400),  # DNS rebinding: the Host is not ours
        ("evil.example", None, 400),
    ],
)
def test_host_header_is_checked(client: TestClient, host: str, origin: str | None, status: int) -> None:
    headers = {"host": host, **({"origin": origin} if origin else {})}
    response = client.get("/api/embed-check", headers=headers)
    assert response.status_code == status
    assert "evil" not in response.text


def test_origin_equal_to_host_is_only_trusted_for_trusted_hosts() -> None:
    from careerbot.web.security import OriginPolicy

    wildcard = OriginPolicy([], hosts=["*"])
    assert not wildcard.allows("http://evil.example:7860", "evil.example:7860")
    mine = OriginPolicy([], hosts=["chat.school.example"])
    assert mine.allows("https://chat.school.example", "chat.school.example")
    assert not mine.allows("http://evil.example", "evil.example")
    assert mine.allows("http://localhost:3000", "evil.example")  # local development, as before


def test_every_429_has_retry_after_and_conversations_are_limited_apart(client: TestClient) -> None:
    def ask(conversation: str | None) -> int:
        body = {
            "message": "What does a lawyer do?",
            **({"conversation_id": conversation} if conversation else {}),
        }
        response = client.post("/api/chat", json=body)
        if response.status_code == 429:
            assert 1 <= int(response.headers["retry-after"]) <= 20  # 3 a minute: a slot every 20 s
            assert "lawyer" not in response.text
        return response.status_code

    # 3 a minute per conversation; 5 a minute per address, whatever the conversation.
    assert [ask("conversation-a") for _ in range(4)] == [200, 200, 200, 429]
    assert [ask("conversation-b") for _ in range(3)] == [200, 200, 429]  # the address ceiling (5) is hit
    limited = client.post("/api/chat/stream", json={"message": "hi", "conversation_id": "conversation-c"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


@pytest.mark.parametrize("conversation", ["short", "x" * 65, "has space!", "ünïcode-id-123"])
def test_malformed_conversation_ids_get_422_without_echo(client: TestClient, conversation: str) -> None:
    response = client.post("/api/chat", json={"message": "hi", "conversation_id": conversation})
    assert response.status_code == 422
    assert conversation not in response.text


def test_slow_streamed_answers_get_heartbeats(service: ChatService) -> None:
    original = service.stream

    def slow(*args: object, **kwargs: object) -> Iterator[object]:
        time.sleep(0.7)  # a slow model: 3 heartbeat periods with nothing to say
        yield from original(*args, **kwargs)  # type: ignore[arg-type]

    service.stream = slow  # type: ignore[method-assign]
    try:
        app = create_app(service)
        with TestClient(app, base_url="http://localhost") as local:
            body = {"message": "What does an electrician do?", "conversation_id": "heartbeat-test"}
            text = local.post("/api/chat/stream", json=body).text
    finally:
        service.stream = original  # type: ignore[method-assign]
    assert text.startswith(": ping\n\n")
    assert text.count(": ping") >= 2
    assert text.rstrip().split("\n\n")[-1].startswith("event: done")


def test_rate_limiter_memory_is_bounded_and_retry_after_exact() -> None:
    from careerbot.web.security import KeyedLimiter, RateLimiter

    limiter = KeyedLimiter(per_minute=30, max_keys=1000)
    for i in range(50_000):
        limiter.allow(f"conversation-{i}")
    assert len(limiter._due) == 1000
    assert all(limiter.allow("one") for _ in range(30))
    wait = limiter.retry_after("one")
    assert 1.9 < wait <= 2.0  # 30 a minute: the next slot frees 2 s later
    chat = RateLimiter(per_conversation=2, per_address=3)
    assert [chat.retry_after("1.2.3.4", "c1") == 0 for _ in range(3)] == [True, True, False]
    assert chat.retry_after("1.2.3.4", "c2") == 0
    assert chat.retry_after("1.2.3.4", "c3") > 0  # address ceiling, although c3 is new
    assert chat.retry_after("5.6.7.8", "c3") == 0  # a refused request did not count against c3


def test_uvicorn_options_bound_connections_and_trust_no_proxy_by_default() -> None:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from careerbot.web.transport import uvicorn_options

    options = uvicorn_options(make_settings())
    assert options["proxy_headers"] is False and options["forwarded_allow_ips"] == []
    assert options["limit_concurrency"] == 2048 and options["timeout_keep_alive"] == 5
    assert options["h11_max_incomplete_event_size"] == 64 * 1024
    assert issubclass(options["http"], H11Protocol)
    behind_proxy = uvicorn_options(make_settings(forwarded_allow_ips=["10.0.0.1"]))
    assert behind_proxy["proxy_headers"] is True and behind_proxy["forwarded_allow_ips"] == ["10.0.0.1"]
