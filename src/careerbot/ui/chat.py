"""The chat page: a full-height conversation, send button, example and follow-up chips, and a Careers tab."""

# No "from __future__ import annotations" here: Gradio reads the gr.Request / gr.LikeData annotations
# of the event handlers at run time to inject them.
import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from careerbot.render import safe_markdown
from careerbot.replies import DISCLAIMER, SLOW_DOWN
from careerbot.schema import Answer
from careerbot.ui.answer_view import answer_html, streaming_html, view_of
from careerbot.ui.assets import PAGE_CSS, PAGE_JS, page_theme
from careerbot.ui.careers_tab import careers_tab

if TYPE_CHECKING:
    import gradio as gr

    from careerbot.feedback import FeedbackStore
    from careerbot.service import ChatService

__all__ = ["EXAMPLES", "PAGE_CSS", "PAGE_JS", "build_blocks", "page_theme", "privacy_note"]

EXAMPLES = [
    "What does a dental hygienist do?",
    "How do I become an electrician?",
    "What skills does a software developer need?",
    "Which careers do you know?",
]
ANY_CAREER = ""
MAX_FOLLOW_UPS = 3


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


def history_of(turns: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The conversation the service reads: questions and answer texts, never the page's HTML."""
    messages: list[dict[str, str]] = []
    for turn in turns:
        answer = turn.get("answer")
        if isinstance(answer, Answer):
            messages.append({"role": "user", "content": str(turn["question"])})
            messages.append({"role": "assistant", "content": answer.text})
    return messages


def _client(request: Any) -> str:
    return request.client.host if request is not None and request.client else "unknown"


def _chips(questions: Sequence[str]) -> list[Any]:
    import gradio as gr

    shown = list(questions)[:MAX_FOLLOW_UPS]
    return [
        gr.update(value=shown[i], visible=True) if i < len(shown) else gr.update(value="", visible=False)
        for i in range(MAX_FOLLOW_UPS)
    ]


class Limiter(Protocol):
    """What the page needs from a rate limiter (the web app passes its own)."""

    def retry_after(self, address: str, conversation: str | None = None) -> float: ...


def build_blocks(service: "ChatService", feedback: "FeedbackStore", limiter: Limiter) -> "gr.Blocks":
    """The chat page as Gradio Blocks (mounted by the web app; never launched here)."""
    import gradio as gr

    career_choices = [("Any career", ANY_CAREER)] + [(title, slug) for slug, title, _ in service.careers]

    def respond(
        message: str,
        shown: list[dict[str, Any]] | None,
        turns: list[dict[str, Any]] | None,
        career: str | None,
        request: gr.Request,
    ) -> Iterator[list[Any]]:
        question = (message or "").strip()
        shown = list(shown or [])
        turns = list(turns or [])
        if not question:
            yield [shown, turns, gr.update(), *_chips([])]
            return
        shown.append({"role": "user", "content": safe_markdown(question)})
        answer_id = uuid.uuid4().hex[:12]
        if limiter.retry_after(_client(request), getattr(request, "session_hash", None)):
            shown.append({"role": "assistant", "content": safe_markdown(SLOW_DOWN)})
            yield [shown, [*turns, {"question": question, "answer": None}], "", *_chips([])]
            return
        history = history_of(turns)
        yield [shown, turns, "", *_chips([])]  # the question shows at once and the box empties once
        text = ""
        for part in service.stream(question, history, career or None):
            if isinstance(part, str):
                text += part
                yield [
                    [*shown, {"role": "assistant", "content": streaming_html(text, answer_id)}],
                    turns,
                    gr.update(),  # never clear what the user is typing next
                    *_chips([]),
                ]
            else:
                feedback.log_exchange(question, part)
                shown.append({"role": "assistant", "content": answer_html(part, answer_id)})
                turns.append({"question": question, "answer": part})
                yield [shown, turns, gr.update(), *_chips(view_of(part).follow_ups)]

    def rate(turns: list[dict[str, Any]] | None, like: gr.LikeData, request: gr.Request) -> None:
        if limiter.retry_after(_client(request), getattr(request, "session_hash", None)):
            return
        index = like.index if isinstance(like.index, int) else like.index[0]
        position = int(index) // 2  # each turn shows as a question and one reply
        if turns and 0 <= position < len(turns) and isinstance(turns[position].get("answer"), Answer):
            if (
                feedback.add(str(turns[position]["question"]), turns[position]["answer"], bool(like.liked))
                is None
            ):
                gr.Warning("Sorry, your feedback could not be saved right now. Please try again later.")
            else:
                gr.Info("Thanks for the feedback!")

    with gr.Blocks(title="careerbot: career advice", analytics_enabled=False) as blocks:
        turns = gr.State([])
        gr.Markdown(
            "# careerbot\nAsk about any career: what the work is like, skills, education, first jobs.",
            elem_classes=["cb-header"],
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                career = gr.Dropdown(
                    choices=career_choices,
                    value=ANY_CAREER,
                    label="Ask about one career (optional)",
                    info="Pick a career to get answers from its profile only.",
                    elem_id="career-picker",
                )
                chatbot = gr.Chatbot(
                    label="Conversation",
                    show_label=False,
                    buttons=[],
                    autoscroll=False,
                    sanitize_html=True,
                    render_markdown=True,
                    latex_delimiters=[],
                    feedback_options=("Like", "Dislike"),
                    placeholder="Ask me about any career. Answers quote career profiles and show their sources.",
                    elem_id="chatbot",
                )
                with gr.Row(elem_id="cb-followups"):
                    follow_ups = [
                        gr.Button("", visible=False, size="sm", elem_classes=["cb-chip", "cb-follow-up"])
                        for _ in range(MAX_FOLLOW_UPS)
                    ]
                with gr.Row(elem_id="cb-input-row"):
                    textbox = gr.Textbox(
                        placeholder="Ask about a career…",
                        label="Your question",
                        show_label=False,
                        lines=1,
                        max_lines=6,
                        max_length=service.settings.max_question_chars,
                        elem_id="question",
                        scale=8,
                    )
                    send = gr.Button("Send", variant="primary", elem_id="send", scale=1)
                with gr.Row(elem_id="cb-examples"):
                    examples = [
                        gr.Button(q, size="sm", elem_classes=["cb-chip", "cb-example"]) for q in EXAMPLES
                    ]
                gr.Markdown(privacy_note(service), elem_classes=["cb-note"])
            with gr.Tab("Careers", id="careers"):
                careers_tab(service.profiles)

        outputs = [chatbot, turns, textbox, *follow_ups]
        # A question sent while the previous answer is still finishing is queued, not dropped.
        options: dict[str, Any] = {
            "outputs": outputs,
            "api_visibility": "private",
            "trigger_mode": "always_last",
        }
        textbox.submit(respond, [textbox, chatbot, turns, career], **options)
        send.click(respond, [textbox, chatbot, turns, career], **options)
        for chip in [*examples, *follow_ups]:
            chip.click(respond, [chip, chatbot, turns, career], **options)
        chatbot.like(rate, inputs=[turns], outputs=None)
        chatbot.clear(lambda: ([], *_chips([])), outputs=[turns, *follow_ups])
    return blocks
