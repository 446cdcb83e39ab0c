"""The Careers tab: every career by cluster; a click opens its profile sections (loaded on demand)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any

from careerbot.corpus.schema import UNINDEXED_SECTIONS, Profile

if TYPE_CHECKING:
    import gradio as gr

# Builds the profile with textContent only: profile text never becomes markup in the browser.
PROFILE_JS = """
const pane = element.querySelector('.cb-profile');
function make(tag, text, cls) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}
function careerButton(slug, title) {
  const button = make('button', title, 'cb-career cb-planb');
  button.type = 'button';
  button.dataset.career = slug;
  return button;
}
async function openCareer(slug) {
  const data = await server.profile(slug);
  if (!data || !data.title) return;
  pane.replaceChildren();
  const heading = make('h3', data.title);
  heading.tabIndex = -1;
  pane.appendChild(heading);
  if (data.cluster) pane.appendChild(make('p', 'Cluster: ' + data.cluster, 'cb-cluster'));
  data.sections.forEach((section, i) => {
    const fold = make('details', '', 'cb-section');
    if (i === 0) fold.open = true;
    fold.appendChild(make('summary', section.name));
    let list = null;
    section.items.forEach((item) => {
      if (item.bullet) {
        if (!list) { list = make('ul'); fold.appendChild(list); }
        list.appendChild(make('li', item.text));
      } else {
        list = null;
        fold.appendChild(make('p', item.text));
      }
    });
    if (section.name === 'Plan B' && data.plan_b.length) {
      const links = make('p', 'Plan B careers with a profile here: ', 'cb-planb-links');
      data.plan_b.forEach((career) => links.appendChild(careerButton(career.slug, career.title)));
      fold.appendChild(links);
    }
    pane.appendChild(fold);
  });
  pane.hidden = false;
  heading.focus();
  heading.scrollIntoView({block: 'start'});
}
element.addEventListener('click', (event) => {
  const button = event.target.closest('[data-career]');
  if (!button) return;
  event.preventDefault();
  openCareer(button.dataset.career);
});
"""


def careers_list_html(profiles: Sequence[Profile]) -> str:
    """All careers grouped by cluster, each a button that opens its profile."""
    ordered = sorted(profiles, key=lambda p: (p.cluster.lower(), p.title.lower()))
    groups = []
    for cluster, members in groupby(ordered, key=lambda p: p.cluster):
        buttons = "".join(
            f'<li><button type="button" class="cb-career" data-career="{html.escape(p.slug)}">'
            f"{html.escape(p.title)}</button></li>"
            for p in members
        )
        groups.append(
            f'<section class="cb-cluster-group"><h3>{html.escape(cluster)}</h3><ul>{buttons}</ul></section>'
        )
    return (
        '<div class="cb-careers"><p>Pick a career to read its whole profile.</p>'
        f'<div class="cb-career-list">{"".join(groups)}</div>'
        '<div class="cb-profile" aria-live="polite" hidden></div></div>'
    )


def profile_data(profiles: Sequence[Profile], slug: str) -> dict[str, Any]:
    """One profile as plain data for the tab's script (empty for an unknown slug)."""
    by_slug = {p.slug: p for p in profiles}
    profile = by_slug.get(str(slug)[:200])
    if profile is None:
        return {}
    sections = [
        {"name": s.name, "items": [{"text": i.text, "bullet": i.kind == "bullet"} for i in s.items]}
        for s in profile.sections
        if s.items and s.name not in UNINDEXED_SECTIONS
    ]
    plan_b = [{"slug": r, "title": by_slug[r].title} for r in profile.related if r in by_slug]
    return {"title": profile.title, "cluster": profile.cluster, "sections": sections, "plan_b": plan_b}


def careers_tab(profiles: Sequence[Profile]) -> gr.HTML:
    """The tab's one component (call inside a gr.Tab)."""
    import gradio as gr

    def profile(slug: str) -> dict[str, Any]:
        return profile_data(profiles, slug)

    return gr.HTML(
        careers_list_html(profiles),
        js_on_load=PROFILE_JS,
        server_functions=[profile],
        elem_id="careers",
    )
