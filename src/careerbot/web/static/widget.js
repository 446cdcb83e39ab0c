/* careerbot widget: one <script> tag adds a chat bubble that opens the career chat in a panel.
 *
 *   <script src="https://HOST/widget.js" data-title="Career advisor" data-position="right"
 *           data-color="#0b5" data-welcome="Ask me about any career" async></script>
 *
 * Everything lives in a shadow root (host-page CSS cannot reach it) and only talks to HOST.
 * No text from the page or the server is ever written as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__careerbotWidget) return;
  window.__careerbotWidget = true;

  var origin = new URL(script.src, window.location.href).origin;
  var data = script.dataset || {};
  var title = (data.title || "Career advisor").slice(0, 60);
  var welcome = (data.welcome || "Ask me about any career").slice(0, 160);
  var side = data.position === "left" ? "left" : "right";
  var color = /^#[0-9a-fA-F]{3,8}$/.test(data.color || "") ? data.color : "#0b5";

  var host = document.createElement("div");
  host.setAttribute("data-careerbot", "");
  var root = host.attachShadow({ mode: "open" });

  var style = document.createElement("style");
  style.textContent = [
    ":host { all: initial; }",
    ".btn { position: fixed; bottom: 20px; " + side + ": 20px; z-index: 2147483000; width: 56px; height: 56px;",
    "  border-radius: 50%; border: none; background: " + color + "; color: #fff; font: 600 24px/1 system-ui, sans-serif;",
    "  cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".btn:focus-visible, .close:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }",
    ".panel { position: fixed; bottom: 88px; " + side + ": 20px; z-index: 2147483000; width: 400px; height: 620px;",
    "  max-width: calc(100vw - 24px); max-height: calc(100vh - 110px); display: none; flex-direction: column;",
    "  background: #fff; border-radius: 12px; overflow: hidden; box-shadow: 0 8px 30px rgba(0,0,0,.3);",
    "  font: 14px/1.4 system-ui, sans-serif; color: #111; }",
    ".panel.open { display: flex; }",
    ".head { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: " + color + "; color: #fff; }",
    ".head h2 { flex: 1; margin: 0; font-size: 15px; font-weight: 600; }",
    ".head p { margin: 0; font-size: 12px; opacity: .9; }",
    ".close { border: none; background: transparent; color: #fff; font-size: 22px; cursor: pointer; padding: 0 4px; }",
    "iframe { flex: 1; width: 100%; border: 0; }",
    ".notice { padding: 16px; }",
    "@media (max-width: 480px) { .panel { " + side + ": 8px; bottom: 80px; width: calc(100vw - 16px);",
    "  height: calc(100vh - 100px); } }",
  ].join("\n");

  var button = document.createElement("button");
  button.className = "btn";
  button.type = "button";
  button.textContent = "?";
  button.setAttribute("aria-label", "Open " + title);
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "careerbot-panel");

  var panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "careerbot-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);

  var head = document.createElement("div");
  head.className = "head";
  var heading = document.createElement("div");
  heading.style.flex = "1";
  var h2 = document.createElement("h2");
  h2.textContent = title;
  var sub = document.createElement("p");
  sub.textContent = welcome;
  heading.appendChild(h2);
  heading.appendChild(sub);
  var close = document.createElement("button");
  close.className = "close";
  close.type = "button";
  close.textContent = "\u00d7";
  close.setAttribute("aria-label", "Close " + title);
  head.appendChild(heading);
  head.appendChild(close);
  panel.appendChild(head);

  var loaded = false;
  function notice(text) {
    var box = document.createElement("div");
    box.className = "notice";
    box.setAttribute("role", "alert");
    box.textContent = text;
    panel.appendChild(box);
  }
  function load() {
    if (loaded) return;
    loaded = true;
    // The server answers this only for allowed sites (CORS); no cookies are sent.
    fetch(origin + "/api/embed-check", { credentials: "omit", mode: "cors" })
      .then(function (r) {
        if (!r.ok) throw new Error("refused");
        var frame = document.createElement("iframe");
        frame.title = title;
        frame.src = origin + "/?embed=1";
        frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
        panel.appendChild(frame);
      })
      .catch(function () {
        notice("This site is not allowed to embed the career chat. (Site owners: add this site to CAREERBOT_ALLOWED_ORIGINS.)");
      });
  }
  function setOpen(open) {
    panel.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { load(); close.focus(); } else { button.focus(); }
  }
  button.addEventListener("click", function () { setOpen(!panel.classList.contains("open")); });
  close.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") setOpen(false); });

  root.appendChild(style);
  root.appendChild(panel);
  root.appendChild(button);
  (document.body || document.documentElement).appendChild(host);
})();
