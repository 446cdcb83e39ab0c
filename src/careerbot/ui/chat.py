"""The chat page: gr.ChatInterface with streaming, collapsible sources, a career picker and feedback."""

# No "from __future__ import annotations" here: Gradio reads the gr.Request / gr.LikeData annotations
# of the event handlers at run time to inject them.
import dataclasses
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from careerbot.render import answer_markdown, more_markdown, safe_markdown, sources_markdown
from careerbot.replies import DISCLAIMER, SLOW_DOWN
from careerbot.schema import Answer

if TYPE_CHECKING:
    import gradio as gr

    from careerbot.feedback import FeedbackStore
    from careerbot.service import ChatService

EXAMPLES = [
    "What does a dental hygienist do?",
    "How do I become an electrician?",
    "What skills does a software developer need?",
    "Which careers do you know?",
]
ANY_CAREER = ""
MORE_TITLE = "More from the profile"


class Limiter(Protocol):
    """What the page needs from a rate limiter (the web app passes its own)."""

    def allow(self, key: str) -> bool: ...


# Embed mode (?embed=1, used by /widget.js): only the conversation, no page header.
PAGE_CSS = """
.cb-embed .cb-header, .cb-embed #career-picker, .cb-embed footer { display: none !important; }
.cb-note { font-size: 0.85em; opacity: 0.85; }
"""
PAGE_JS = """
() => {
  const params = new URLSearchParams(window.location.search);
  if (params.get("embed") === "1") document.body.classList.add("cb-embed");
}
"""


def privacy_note(service: "ChatService") -> str:
    """What the page stores, in one paragraph."""
    days = service.settings.feedback_retention_days
    stored = (
        "Every question and answer is logged on this server."
        if service.settings.log_conversations
        else "Conversations are not stored."
    )
    return (
        f"{DISCLAIMER} Privacy: {stored} If you rate an answer with thumbs up or down, that question, "
        f"answer, its sources and your rating are kept for {days} days to improve the bot."
    )


class AnswerCache:
    """Recent answers by (browser session, position in the page's chat), so a thumbs up/down is stored
    with the question and sources of that user's own exchange (never found by its display text)."""

    def __init__(self, size: int = 4096) -> None:
        self._items: OrderedDict[tuple[str, int], tuple[str, Answer]] = OrderedDict()
        self._size = size

    def put(self, session: str, position: int, question: str, answer: Answer) -> None:
        key = (session, position)
        self._items[key] = (question, answer)
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, session: str, position: int) -> "tuple[str, Answer] | None":
        return self._items.get((session, position))


def conversation(history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The user/assistant turns of the page's history, without the collapsible "Sources" messages."""
    return [m for m in history if isinstance(m, dict) and not (m.get("metadata") or {}).get("title")]


def _safe_message(message: Any) -> Any:
    """A chat message whose text goes through safe_markdown (dicts and gr.ChatMessage alike)."""
    if isinstance(message, dict) and isinstance(message.get("content"), str):
        return {**message, "content": safe_markdown(message["content"])}
    content = getattr(message, "content", None)
    if dataclasses.is_dataclass(message) and not isinstance(message, type) and isinstance(content, str):
        return dataclasses.replace(message, content=safe_markdown(content))
    return message


def safe_chatbot(**kwargs: Any) -> "gr.Chatbot":
    """A gr.Chatbot that renders every text message, the user's own included, through safe_markdown.

    ChatInterface puts the user's raw text into the chatbot; Gradio's sanitiser keeps tags such as
    <img>, so the chatbot's output step escapes markup first. (Done on the instance: a Chatbot subclass
    makes Gradio write a .pyi file next to this module at import time.)
    """
    import gradio as gr

    chatbot = gr.Chatbot(**kwargs)
    render = chatbot.postprocess

    def postprocess(value: Any) -> Any:
        return render([_safe_message(m) for m in value] if value else value)

    chatbot.postprocess = postprocess  # type: ignore[method-assign]
    return chatbot


def chat_messages(answer: Answer) -> list[Any]:
    """The assistant's reply: the answer, then "more from the profile" and its sources, each folded."""
    import gradio as gr

    messages: list[Any] = [gr.ChatMessage(role="assistant", content=answer_markdown(answer))]
    if answer.more:
        messages.append(
            gr.ChatMessage(
                role="assistant",
                content=more_markdown(answer),
                metadata={"title": MORE_TITLE, "status": "done"},
            )
        )
    if answer.cited_sources:
        messages.append(
            gr.ChatMessage(
                role="assistant",
                content=sources_markdown(answer.sources),
                metadata={"title": f"Sources ({len(answer.cited_sources)})", "status": "done"},
            )
        )
    return messages


def _client(request: Any) -> str:
    return request.client.host if request is not None and request.client else "unknown"


def _session(request: Any) -> str:
    return str(getattr(request, "session_hash", None) or "")


def build_blocks(service: "ChatService", feedback: "FeedbackStore", limiter: Limiter) -> "gr.Blocks":
    """The chat page as Gradio Blocks (mounted by the web app; never launched here)."""
    import gradio as gr

    cache = AnswerCache()
    career_choices = [("Any career", ANY_CAREER)] + [(title, slug) for slug, title, _ in service.careers]

    def respond(
        message: str, history: Sequence[dict[str, Any]], career: str, request: gr.Request
    ) -> Iterator[list[Any]]:
        if not limiter.allow(_client(request)):
            yield [gr.ChatMessage(role="assistant", content=SLOW_DOWN)]
            return
        text = ""
        for part in service.stream(message, conversation(history), career or None):
            if isinstance(part, str):
                text += part
                yield [gr.ChatMessage(role="assistant", content=safe_markdown(text))]
            else:
                # ChatInterface appends the user's message at len(history), then this reply.
                cache.put(_session(request), len(history) + 1, message, part)
                feedback.log_exchange(message, part)
                yield chat_messages(part)

    def rate(history: list[dict[str, Any]], like: gr.LikeData, request: gr.Request) -> None:
        if not limiter.allow(_client(request)):
            return
        index = like.index if isinstance(like.index, int) else like.index[0]
        for position in range(min(index, len(history) - 1), -1, -1):  # a "Sources" block rates its answer
            found = cache.get(_session(request), position)
            if found:
                question, answer = found
                if feedback.add(question, answer, bool(like.liked)) is None:  # failure already logged
                    gr.Warning("Sorry, your feedback could not be saved right now. Please try again later.")
                else:
                    gr.Info("Thanks for the feedback!")
                return

    with gr.Blocks(title="careerbot: career advice", analytics_enabled=False) as blocks:
        gr.Markdown(
            "## careerbot\nAsk about any career: what the work is like, skills, education, first jobs.",
            elem_classes=["cb-header"],
        )
        career = gr.Dropdown(
            choices=career_choices,
            value=ANY_CAREER,
            label="Ask about one career (optional)",
            info="Pick a career to get answers from its profile only.",
            elem_id="career-picker",
        )
        chatbot = safe_chatbot(
            label="Conversation",
            sanitize_html=True,
            render_markdown=True,
            height=460,
            feedback_options=("Like", "Dislike"),
            placeholder="Ask me about any career. Answers quote career profiles and show their sources.",
            elem_id="chatbot",
        )
        chatbot.like(rate, inputs=[chatbot], outputs=None)
        gr.ChatInterface(
            fn=respond,
            chatbot=chatbot,
            textbox=gr.Textbox(
                placeholder="Ask about a career…",
                label="Your question",
                show_label=False,
                max_lines=6,
                max_length=service.settings.max_question_chars,
                elem_id="question",
            ),
            additional_inputs=[career],
            examples=[[q, ANY_CAREER] for q in EXAMPLES],
            example_labels=EXAMPLES,
            analytics_enabled=False,
            api_visibility="private",
        )
        gr.Markdown(privacy_note(service), elem_classes=["cb-note"])
    return blocks
