// Nashr reader-side script: back-to-top button and click-to-load embeds.
// No third-party requests; everything degrades gracefully without JS.
(function () {
  "use strict";
  var toTop = document.getElementById("to-top");
  if (toTop) {
    var onScroll = function () {
      toTop.hidden = window.scrollY < 600;
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    onScroll();
    toTop.addEventListener("click", function (event) {
      event.preventDefault();
      var reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      window.scrollTo({ top: 0, behavior: reduce ? "auto" : "smooth" });
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    });
  }
  document.querySelectorAll("[data-embed-load]").forEach(function (button) {
    button.addEventListener("click", function () {
      var figure = button.closest("[data-embed]");
      var tpl = figure && figure.querySelector("template");
      if (!tpl) return;
      var holder = document.createElement("div");
      holder.className = "embed__frame";
      holder.appendChild(tpl.content.cloneNode(true));
      figure.replaceChildren(holder);
    });
  });
})();

// === Members: the invitation to subscribe on free articles (nashr.members) ===
// The <dialog id="invite"> is rendered closed by the server only for readers
// who may see it; it opens as a modal once the reader has scrolled through
// data-invite-scroll percent of the article body (while still in it). Closing it ("تابع القراءة",
// Esc, a click on the backdrop) is remembered data-invite-days days; a reader
// who submits any subscribe form never sees it again. Focus stays inside
// while it is open and returns where it was after.
(function () {
  "use strict";
  var DISMISSED = "nashr:invite:dismissed";
  var SUBSCRIBED = "nashr:subscribed";
  function read(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function write(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.classList && form.classList.contains("nl-box__form")) write(SUBSCRIBED, String(Date.now()));
  }, true);

  var dialog = document.getElementById("invite");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var days = parseFloat(dialog.getAttribute("data-invite-days")) || 0;
  var share = Math.min(1, Math.max(0, (parseFloat(dialog.getAttribute("data-invite-scroll")) || 0) / 100));
  if (read(SUBSCRIBED)) return;
  var dismissedAt = parseInt(read(DISMISSED) || "0", 10);
  if (dismissedAt && Date.now() - dismissedAt < days * 86400000) return;

  var body = document.querySelector(".article__body") || document.querySelector("main");
  var opener = null;
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])";

  function progress() {
    var rect = body.getBoundingClientRect();
    if (rect.height <= 0) return 1;
    return (window.innerHeight - rect.top) / rect.height;
  }
  // Only while the reader is inside the body (its end not yet on screen):
  // someone who jumps to the comments or the footer is doing something else.
  function onScroll() {
    var p = progress();
    if (p >= share && p <= 1) open();
  }
  function open() {
    window.removeEventListener("scroll", onScroll);
    if (dialog.open) return;
    opener = document.activeElement;
    dialog.showModal();
    var inner = dialog.querySelector(".invite__inner");
    if (inner) inner.focus();
  }
  dialog.addEventListener("close", function () {
    write(DISMISSED, String(Date.now()));
    if (opener && opener !== document.body && typeof opener.focus === "function") {
      opener.focus({ preventScroll: true });
    } else {
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
  });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog || event.target.closest("[data-invite-close]")) dialog.close();
  });
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") return;
    var items = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.tabIndex >= 0 && (el.offsetParent !== null || el === document.activeElement);
    });
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement) ||
        document.activeElement === dialog.querySelector(".invite__inner"))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  window.addEventListener("scroll", onScroll, { passive: true });
  onScroll();
})();
