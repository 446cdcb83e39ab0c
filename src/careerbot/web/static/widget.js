/* careerbot widget: one <script> tag adds a chat bubble that opens a native chat panel.
 *
 *   <script src="https://HOST/widget.js" data-title="Career advisor" data-position="right"
 *           data-color="#0b5" data-welcome="Hi! Ask me about any career." async></script>
 *
 * Plain JS in a shadow root (host-page CSS cannot reach it); it only talks to HOST (/api/chat/stream,
 * /api/chat, /api/feedback). Text from the page or the server is only ever written with textContent.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__careerbotWidget) return;
  window.__careerbotWidget = true;

  var CSS = "__CAREERBOT_CSS__"; // the server inlines widget.css here
  var origin = new URL(script.src, window.location.href).origin;
  var data = script.dataset || {};
  var title = (data.title || "Career advisor").slice(0, 60);
  var welcome = (data.welcome || "Hi! Ask me about any career: what the work is like, skills, training and first jobs.").slice(0, 200);
  var side = data.position === "left" ? "left" : "right";
  var color = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(data.color || "") ? data.color : "#1e3a8a";
  var prompts = (data.prompts || "What does a dental hygienist do?|How do I become an electrician?|Which careers match my interest in animals?")
    .split("|").map(function (p) { return p.trim().slice(0, 120); }).filter(Boolean).slice(0, 4);
  var MAX_HISTORY = 20;
  var STORE_KEY = "careerbot-widget:" + origin;

  var MESSAGES = {
    429: "You're sending questions a bit fast. Please wait a minute, then try again.",
    403: "The career chat isn't switched on for this website yet.",
    413: "That message is too long. Please ask a shorter question.",
    422: "I couldn't read that message. Please try typing it again.",
    network: "I couldn't reach the career advisor. Check your internet connection and try again.",
    server: "Something went wrong on our side. Please try again in a moment.",
    notAllowed: "This site is not allowed to embed the career chat. (Site owners: add this site to CAREERBOT_ALLOWED_ORIGINS.)"
  };

  // ---- colours: pick black or white header text, whichever contrasts more with data-color ----
  function luminance(hex) {
    var h = hex.slice(1);
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    var rgb = [0, 2, 4].map(function (i) {
      var c = parseInt(h.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }
  var lum = luminance(color);
  var onAccent = (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) ? "#ffffff" : "#000000";

  // ---- storage: sessionStorage when allowed (third-party contexts may throw), else memory ----
  var memory = null;
  function load() {
    try {
      var raw = window.sessionStorage.getItem(STORE_KEY);
      if (raw) return JSON.parse(raw);
    } catch (e) { /* blocked storage: fall back to memory */ }
    return memory;
  }
  function save() {
    memory = state;
    try { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* memory only */ }
  }
  function newId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function fresh() { return { id: newId(), messages: [] }; }
  var state = load();
  if (!state || !Array.isArray(state.messages) || typeof state.id !== "string") state = fresh();

  // ---- DOM helpers (textContent only) ----
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function button(cls, text, label) {
    var b = el("button", cls, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  var host = document.createElement("careerbot-widget");
  var root = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  var wrap = el("div", "wrap");
  wrap.style.setProperty("--cb-accent", color);
  wrap.style.setProperty("--cb-on-accent", onAccent);

  var bubble = button("bubble " + side, "", "Open " + title);
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "cb-panel");
  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z");
  svg.appendChild(path);
  bubble.appendChild(svg);

  var panel = el("div", "panel " + side);
  panel.id = "cb-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "true");
  panel.setAttribute("aria-labelledby", "cb-title");
  var head = el("div", "head");
  var h2 = el("h2", "", title);
  h2.id = "cb-title";
  var restart = button("restart", "New chat", "Start a new conversation");
  var close = button("close", "\u00d7", "Close " + title);
  head.appendChild(h2);
  head.appendChild(restart);
  head.appendChild(close);
  var log = el("div", "log");
  log.setAttribute("role", "region");
  log.setAttribute("aria-label", "Conversation");
  log.tabIndex = 0;
  var live = el("div", "sr");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("role", "status");
  var form = el("form", "form");
  var label = el("label", "sr", "Your question");
  label.htmlFor = "cb-input";
  var input = el("textarea");
  input.id = "cb-input";
  input.rows = 1;
  input.maxLength = 2000;
  input.placeholder = "Ask about a career\u2026";
  var send = el("button", "send", "Send");
  send.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  var privacy = el("p", "privacy",
    "Privacy: this chat is kept only in this browser tab until you close it or press New chat. A thumbs up/down sends that question and answer to us to improve the bot.");
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(live);
  panel.appendChild(form);
  panel.appendChild(privacy);
  wrap.appendChild(panel);
  wrap.appendChild(bubble);
  root.appendChild(style);
  root.appendChild(wrap);

  // ---- a small Markdown subset: paragraphs, "- "/"• " bullets, **bold**, [n] citations ----
  var INLINE = /\[(\d{1,3})\]|\*\*/g;
  function inline(parent, text, cite) {
    var target = parent, last = 0, match, bold = null;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      target.appendChild(document.createTextNode(text.slice(last, match.index)));
      last = INLINE.lastIndex;
      if (match[1]) {
        var c = cite ? cite(parseInt(match[1], 10)) : null;
        target.appendChild(c || document.createTextNode(match[0]));
      } else if (bold) {
        bold = null;
        target = parent;
      } else if (text.indexOf("**", last) >= 0) {
        bold = el("strong");
        parent.appendChild(bold);
        target = bold;
      } else {
        target.appendChild(document.createTextNode("**"));
      }
    }
    target.appendChild(document.createTextNode(text.slice(last)));
  }
  function markdown(parent, text, cite) {
    var list = null;
    text.split("\n").forEach(function (raw) {
      var line = raw.trim();
      var bullet = /^([-*\u2022]) /.test(line);
      if (bullet) {
        if (!list) { list = el("ul"); parent.appendChild(list); }
        var li = el("li");
        inline(li, line.slice(2), cite);
        list.appendChild(li);
        return;
      }
      list = null;
      if (!line) return;
      var p = el("p");
      if (line.charAt(0) === "#") {
        var strong = el("strong");
        inline(strong, line.replace(/^#{1,6}\s*/, ""), cite);
        p.appendChild(strong);
      } else {
        inline(p, line, cite);
      }
      parent.appendChild(p);
    });
  }

  // ---- rendering the conversation ----
  function excerptBox(source, number) {
    var box = el("div", "excerpt");
    box.setAttribute("role", "note");
    box.appendChild(el("strong", "", "[" + number + "] " + (source.title || "") + ": " + (source.section || "")));
    markdown(box, String(source.text || ""), null);
    return box;
  }
  function botMessage(message, isLast) {
    var node = el("div", "msg bot" + (message.notice ? " notice" : ""));
    if (message.notice) { node.textContent = message.text; return node; }
    var answer = message.answer || {};
    var sources = Array.isArray(answer.sources) ? answer.sources : [];
    var order = [];
    var open = null;
    function cite(n) {
      if (n < 1 || n > sources.length) return null;
      if (order.indexOf(n) < 0) order.push(n);
      var shown = order.indexOf(n) + 1;
      var b = button("cite", "[" + shown + "]", "Show source " + shown);
      b.setAttribute("aria-expanded", "false");
      b.addEventListener("click", function () {
        if (open) { open.box.remove(); open.button.setAttribute("aria-expanded", "false"); }
        if (open && open.button === b) { open = null; return; }
        var box = excerptBox(sources[n - 1], shown);
        node.insertBefore(box, rate);
        b.setAttribute("aria-expanded", "true");
        open = { box: box, button: b };
      });
      return b;
    }
    markdown(node, message.text || "", cite);
    var rate = null;
    if (message.answer && answer.status === "answered") {
      rate = el("div", "rate");
      [[1, "Helpful"], [-1, "Not helpful"]].forEach(function (spec) {
        var b = button("", spec[1]);
        b.setAttribute("aria-pressed", message.rating === spec[0] ? "true" : "false");
        b.addEventListener("click", function () { rateAnswer(message, spec[0]); });
        rate.appendChild(b);
      });
      node.appendChild(rate);
    }
    var fragment = document.createDocumentFragment();
    fragment.appendChild(node);
    var follow = Array.isArray(answer.follow_ups) ? answer.follow_ups.slice(0, 3) : [];
    if (isLast && follow.length) fragment.appendChild(chips(follow, "Follow-up questions"));
    return fragment;
  }
  function chips(questions, name) {
    var row = el("div", "chips");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", name);
    questions.forEach(function (q) {
      var chip = button("chip", String(q));
      chip.addEventListener("click", function () { ask(String(q)); });
      row.appendChild(chip);
    });
    return row;
  }
  function render() {
    log.replaceChildren();
    log.appendChild(el("div", "msg bot", welcome));
    state.messages.forEach(function (m, i) {
      if (m.role === "user") log.appendChild(el("div", "msg user", m.text));
      else log.appendChild(botMessage(m, i === state.messages.length - 1));
    });
    if (!state.messages.length) log.appendChild(chips(prompts, "Example questions"));
  }

  // ---- talking to the server ----
  var busy = false;
  function historyFor() {
    return state.messages.filter(function (m) { return !m.notice && m.text; }).slice(-MAX_HISTORY).map(function (m) {
      return { role: m.role === "user" ? "user" : "assistant", content: String(m.text).slice(0, 20000) };
    });
  }
  function post(pathName, body) {
    return fetch(origin + pathName, {
      method: "POST", mode: "cors", credentials: "omit",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    });
  }
  function parseEvents(buffer, onEvent) {
    var parts = buffer.split("\n\n");
    var rest = parts.pop();
    parts.forEach(function (block) {
      var name = "message", payload = "";
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) payload += line.slice(5).trim();
      });
      if (payload) onEvent(name, JSON.parse(payload));
    });
    return rest;
  }
  function finish(reply) {
    busy = false;
    send.disabled = false;
    save();
    render();
    log.scrollTop = log.scrollHeight;
    live.textContent = (reply.notice ? "" : "Answer: ") + String(reply.text || "").replace(/\[\d{1,3}\]/g, "").slice(0, 600);
  }
  function fail(reply, code) {
    reply.notice = true;
    reply.answer = null;
    reply.text = MESSAGES[code] || MESSAGES.server;
    finish(reply);
  }
  function ask(question) {
    question = String(question || "").trim();
    if (!question || busy) return;
    busy = true;
    send.disabled = true;
    var body = { message: question, history: historyFor(), conversation_id: state.id };
    state.messages.push({ role: "user", text: question });
    var reply = { role: "bot", text: "", answer: null };
    state.messages.push(reply);
    input.value = "";
    render();
    var bubbleNode = log.lastChild;
    bubbleNode.textContent = "";
    bubbleNode.appendChild(el("span", "typing", "Looking through the career profiles\u2026"));
    log.scrollTop = log.scrollHeight;
    function onEvent(name, payload) {
      if (name === "delta") {
        reply.text += String(payload.text || "");
        bubbleNode.textContent = reply.text;
      } else if (name === "done") {
        reply.answer = payload;
        reply.text = String(payload.answer || reply.text);
      }
    }
    post("/api/chat/stream", body).then(function (response) {
      if (!response.ok) return fail(reply, response.status >= 500 ? "server" : response.status);
      if (!response.body || !window.TextDecoder) {
        return response.text().then(function (all) { parseEvents(all + "\n\n", onEvent); finish(reply); });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            parseEvents(buffer + "\n\n", onEvent);
            return reply.answer ? finish(reply) : fail(reply, "server");
          }
          buffer = parseEvents(buffer + decoder.decode(chunk.value, { stream: true }), onEvent);
          return pump();
        });
      }
      return pump();
    }).catch(function () { fail(reply, "network"); });
  }
  function rateAnswer(message, rating) {
    message.rating = rating;
    save();
    render();
    var index = state.messages.indexOf(message);
    var question = index > 0 ? state.messages[index - 1].text : "";
    var answer = message.answer || {};
    post("/api/feedback", {
      question: question, answer: message.text, status: answer.status || "answered", rating: rating,
      sources: (answer.sources || []).filter(function (s) { return s.cited; }).map(function (s) {
        return { career: s.career, title: s.title, section: s.section };
      }),
      conversation_id: state.id
    }).then(function (r) { live.textContent = r.ok ? "Thanks for the feedback!" : ""; }, function () {});
  }

  // ---- opening, closing, keyboard ----
  var checked = null;
  function checkAllowed() {
    if (!checked) {
      // The server answers this only for allowed sites (CORS); no cookies are sent.
      checked = fetch(origin + "/api/embed-check", { credentials: "omit", mode: "cors" })
        .then(function (r) { return r.ok; }, function () { return false; });
    }
    return checked;
  }
  function isOpen() { return panel.classList.contains("open"); }
  function setOpen(open) {
    panel.classList.toggle("open", open);
    bubble.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { bubble.focus(); return; }
    render();
    log.scrollTop = log.scrollHeight;
    input.focus();
    checkAllowed().then(function (ok) {
      if (ok) return;
      form.hidden = true;
      var notice = el("div", "msg bot notice", MESSAGES.notAllowed);
      notice.setAttribute("role", "alert");
      log.replaceChildren(notice);
    });
  }
  function focusables() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("button, textarea, [tabindex='0']"),
      function (n) { return !n.disabled && n.offsetParent !== null; }
    );
  }
  bubble.addEventListener("click", function () { setOpen(!isOpen()); });
  close.addEventListener("click", function () { setOpen(false); });
  restart.addEventListener("click", function () {
    if (busy) return;
    state = fresh();
    save();
    render();
    live.textContent = "Started a new conversation.";
    input.focus();
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); ask(input.value); }
  });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); setOpen(false); return; }
    if (e.key !== "Tab") return;
    var items = focusables();
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], active = root.activeElement;
    if (e.shiftKey && (active === first || !panel.contains(active))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (active === last || !panel.contains(active))) { e.preventDefault(); first.focus(); }
  });

  (document.body || document.documentElement).appendChild(host);
})();
