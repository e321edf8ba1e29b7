// The event page's player: the live playlist or the replay through hls.js (served by the
// web app at /vendor/hls.min.js); a browser that plays HLS itself (Safari) gets the URL.
(function () {
  "use strict";
  var video = document.getElementById("sc-video");
  if (!video) return;
  var src = video.getAttribute("data-src");
  var note = document.getElementById("sc-player-note");
  function say(text) { if (note) note.textContent = text; }
  if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls({ liveSyncDuration: 3 });
    hls.on(window.Hls.Events.ERROR, function (_e, data) {
      if (data && data.fatal) say(data.type + ": " + (data.details || ""));
    });
    hls.on(window.Hls.Events.MANIFEST_PARSED, function () { video.setAttribute("data-ready", "1"); });
    hls.loadSource(src);
    hls.attachMedia(video);
    window.cloudparkPlayer = hls;
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;
    video.setAttribute("data-ready", "1");
  } else {
    say("HLS");
  }
})();
