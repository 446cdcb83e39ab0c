"""The chat page's theme, CSS and script, passed through Gradio's documented theme/css/js hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

# Chat fills the viewport below the header, picker and input; chips wrap instead of scrolling sideways.
PAGE_CSS = """
.cb-embed .cb-header, .cb-embed #career-picker, .cb-embed footer { display: none !important; }
.cb-note { font-size: 0.85em; }
#chatbot { height: calc(100dvh - 400px) !important; min-height: 320px; }
#cb-examples, #cb-followups { flex-wrap: wrap; gap: 6px; }
#cb-examples > *, #cb-followups > * { flex: 0 1 auto !important; min-width: 0 !important; width: auto !important; }
.cb-chip { border-radius: 999px !important; white-space: normal !important; text-align: left; }
#cb-input-row { align-items: stretch; }
#send { flex: 0 0 auto !important; min-width: 80px !important; }
.cb-answer p { margin: 0.4em 0; }
.cb-answer ul, .cb-answer ol { margin: 0.3em 0 0.3em 1.2em; }
.cb-lead { font-weight: 500; }
.cb-cite { text-decoration: underline; cursor: pointer; font-size: 0.9em; padding: 0 1px; }
.cb-sources, .cb-more { margin-top: 0.6em; }
.cb-sources summary, .cb-more summary { cursor: pointer; font-weight: 600; }
.cb-source-list > li { margin: 0.4em 0; border-radius: 6px; padding: 2px 4px; }
.cb-flash { outline: 3px solid #1d4ed8; }
table.cb-compare { border-collapse: collapse; width: 100%; }
table.cb-compare th, table.cb-compare td { border: 1px solid #6b7280; padding: 4px 6px; vertical-align: top; }
table.cb-compare caption { font-weight: 600; text-align: left; }
.cb-careers h3 { margin: 0.8em 0 0.3em; }
.cb-career-list ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
.cb-career { border: 1px solid #1d4ed8; color: #1e3a8a; background: #fff; border-radius: 999px;
  padding: 3px 10px; cursor: pointer; font: inherit; }
.cb-career:hover, .cb-career:focus-visible { background: #dbeafe; }
.cb-profile { margin-top: 1em; border-top: 2px solid #1d4ed8; padding-top: 0.5em; }
.cb-profile details { margin: 0.4em 0; }
.cb-profile summary { cursor: pointer; font-weight: 600; }
"""

# Citation clicks open and show their source; a new answer scrolls into view at its start, not its end.
PAGE_JS = """
() => {
  const params = new URLSearchParams(window.location.search);
  if (params.get("embed") === "1") document.body.classList.add("cb-embed");
  function scroller(node) {
    for (let n = node.parentElement; n; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (/(auto|scroll)/.test(style.overflowY) && n.scrollHeight > n.clientHeight) return n;
    }
    return null;
  }
  document.addEventListener("click", (event) => {
    const cite = event.target.closest ? event.target.closest("a.cb-cite") : null;
    if (!cite) return;
    event.preventDefault();
    event.stopPropagation();
    const id = (cite.getAttribute("href") || "").slice(1);
    const target = id ? document.getElementById(id) : null;
    if (!target) return;
    const fold = target.closest("details");
    if (fold) fold.open = true;
    target.classList.add("cb-flash");
    setTimeout(() => target.classList.remove("cb-flash"), 2500);
    target.focus({preventScroll: true});
    target.scrollIntoView({block: "nearest"});
  }, true);
  // The newest answer is placed once, as soon as the chat can scroll (before that its start is in view).
  const placed = new Set();
  new MutationObserver(() => {
    const answers = document.querySelectorAll("#chatbot .cb-answer");
    const last = answers[answers.length - 1];
    if (!last || !last.id || placed.has(last.id)) return;
    const box = scroller(last);
    if (!box) return;
    placed.add(last.id);
    box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  }).observe(document.body, {childList: true, subtree: true});
}
"""


def page_theme() -> gr.themes.Base:
    """Gradio's default theme with colours that keep text at 4.5:1 or more."""
    import gradio as gr

    return gr.themes.Default(primary_hue="blue", neutral_hue="slate").set(
        body_text_color_subdued="*neutral_600",
        color_accent="*primary_700",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        input_placeholder_color="*neutral_600",
        block_info_text_color="*neutral_600",
        block_label_text_color="*neutral_700",
        block_title_text_color="*neutral_800",
    )
