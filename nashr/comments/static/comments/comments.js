// Reader comments: a "reply" link moves the form under the comment it
// answers and fills the hidden parent field. Without JavaScript the same
// link reloads the page with ?replyto=<id>, which does the same server-side.
(function () {
  "use strict";
  var respond = document.querySelector("[data-comment-respond]");
  if (!respond) return;
  var parentInput = respond.querySelector("[data-reply-parent]");
  var title = respond.querySelector("[data-reply-title]");
  var cancel = respond.querySelector("[data-reply-cancel]");
  var home = document.createComment("comment-form-home");
  var defaultTitle = "أضف تعليقًا";
  respond.parentNode.insertBefore(home, respond);

  function moveTo(link) {
    var item = link.closest(".cm-item");
    var article = item && item.querySelector(".cm");
    if (!article) return false;
    article.insertAdjacentElement("afterend", respond);
    parentInput.value = link.getAttribute("data-reply-to");
    title.textContent = "ردّ على ";
    var who = document.createElement("bdi");
    who.textContent = link.getAttribute("data-reply-name") || "";
    title.appendChild(who);
    cancel.hidden = false;
    var body = respond.querySelector("textarea");
    if (body) body.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-reply-to]");
    if (link && moveTo(link)) {
      event.preventDefault();
      return;
    }
    if (event.target.closest("[data-reply-cancel]")) {
      event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      parentInput.value = "";
      title.textContent = defaultTitle;
      cancel.hidden = true;
    }
  });
})();
