"""The chat page: gr.ChatInterface with streaming and collapsible sources."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from careerbot.replies import DISCLAIMER
from careerbot.schema import Answer
from careerbot.ui.render import answer_markdown, safe_markdown, sources_markdown

if TYPE_CHECKING:
    import gradio as gr

    from careerbot.service import ChatService

EXAMPLES = [
    "What does a dental hygienist do?",
    "How do I become an electrician?",
    "What skills does a software developer need?",
    "Which careers do you know?",
]


def chat_messages(answer: Answer) -> list[Any]:
    """The assistant's reply: the answer, then its sources in a collapsible block."""
    import gradio as gr

    messages: list[Any] = [gr.ChatMessage(role="assistant", content=answer_markdown(answer))]
    if answer.cited_sources:
        messages.append(
            gr.ChatMessage(
                role="assistant",
                content=sources_markdown(answer.sources),
                metadata={"title": f"Sources ({len(answer.cited_sources)})", "status": "done"},
            )
        )
    return messages


def build_blocks(service: ChatService) -> gr.Blocks:
    """The chat page as Gradio Blocks (mounted by the web app; never launched here)."""
    import gradio as gr

    def respond(message: str, history: Sequence[dict[str, Any]]) -> Iterator[list[Any]]:
        text = ""
        for part in service.stream(message, list(history)):
            if isinstance(part, str):
                text += part
                yield [gr.ChatMessage(role="assistant", content=safe_markdown(text))]
            else:
                yield chat_messages(part)

    with gr.Blocks(title="careerbot: career advice", analytics_enabled=False) as blocks:
        gr.Markdown(
            "## careerbot\nAsk about any career: what the work is like, skills, education, first jobs."
        )
        gr.ChatInterface(
            fn=respond,
            chatbot=gr.Chatbot(label="Conversation", sanitize_html=True, render_markdown=True, height=480),
            textbox=gr.Textbox(placeholder="Ask about a career…", label="Your question", max_lines=6),
            examples=EXAMPLES,
            analytics_enabled=False,
            api_visibility="private",
        )
        gr.Markdown(f"<small>{DISCLAIMER}</small>")
    return blocks
