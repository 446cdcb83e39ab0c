"""Fast checks of the same service with lexical fake embeddings (no model)."""

from __future__ import annotations

from careerbot.service import ChatService


def test_fake_service_answers_with_citations(fake_service: ChatService) -> None:
    answer = fake_service.ask("What does a paralegal do day to day?")
    assert answer.status == "answered"
    assert answer.sources[0].career == "paralegal"
    assert any(s.cited for s in answer.sources)
    assert answer.lead and all(answer.sources[p.source - 1].cited for p in answer.quoted)


def test_every_answer_text_is_rendered_from_its_parts(fake_service: ChatService) -> None:
    from careerbot.render import answer_text

    for question in ("hi", "What does a lawyer do?", "What is the capital of France?", "lawyer vs paralegal"):
        answer = fake_service.ask(question)
        if answer.intro or answer.quoted:
            assert answer.text == answer_text(answer), question


def test_stream_yields_text_then_the_answer(fake_service: ChatService) -> None:
    parts = list(fake_service.stream("What skills does an electrician need?"))
    final = parts[-1]
    assert not isinstance(final, str)
    assert "".join(p for p in parts[:-1] if isinstance(p, str)) == final.text


def test_history_with_odd_content_is_tolerated(fake_service: ChatService) -> None:
    history = [
        {"role": "user", "content": None},
        {"role": "user", "content": [{"type": "text", "text": "Lawyer"}]},  # Gradio's list content
        {"role": "assistant", "content": None},
    ]
    answer = fake_service.ask("what about the education?", history)  # type: ignore[arg-type]
    assert answer.status == "answered"
    assert answer.sources[0].career == "lawyer"
