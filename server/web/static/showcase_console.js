// The organizer's event page: only the chosen source's fields show; the stream's state,
// the viewers and the questions are polled every 3 s from live.json (a state
// change reloads the page so its buttons match, unless the organizer is typing or a form
// is on its way).
(function () {
  "use strict";
  var form = document.getElementById("sc-live-form");
  if (form) {
    var show = function () {
      var chosen = form.querySelector("input[name=kind]:checked");
      var kind = chosen ? chosen.value : "";
      form.querySelectorAll("[data-kind]").forEach(function (el) {
        el.hidden = el.getAttribute("data-kind").split(" ").indexOf(kind) < 0;
      });
      var video = document.getElementById("sc-video-form");
      if (video) video.hidden = kind !== "file";
    };
    form.addEventListener("change", show);
    show();
  }
  var head = document.getElementById("sc-manage");
  if (!head) return;
  var id = head.getAttribute("data-event");
  var stream = head.getAttribute("data-stream");
  var event = head.getAttribute("data-state");
  var leaving = false;  // a form is being sent: its answer navigates, a reload would cancel it
  document.addEventListener("submit", function () { leaving = true; }, true);
  function typing() {
    var el = document.activeElement;
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }
  function reload() { if (!typing() && !leaving) window.location.reload(); }
  function poll() {
    fetch("/console/showcases/" + id + "/live.json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (s.stream !== stream || s.event !== event) { reload(); return; }
        var reason = document.getElementById("sc-stream-reason");
        if (reason) reason.textContent = s.reason || "";
        var viewers = document.getElementById("sc-viewers");
        if (viewers && String(s.viewers) !== viewers.getAttribute("data-viewers")) reload();
        var board = document.getElementById("qa");
        if (board && String(s.questions) !== board.getAttribute("data-questions")) reload();  // a new question
      })
      .catch(function () {});
  }
  if (event === "live" || event === "scheduled") setInterval(poll, 3000);
})();
