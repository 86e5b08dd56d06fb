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
