// The park office's check-in scanner: the camera's frames are read for the booking's QR
// code by the browser's BarcodeDetector where there is one (Chrome on Android, macOS),
// else by jsQR (served by the web app at /vendor/jsQR.js: Chromium on Linux, Firefox and
// Safari have no BarcodeDetector). Typing the code works always (the form is the fallback).
// A code just sent is not sent again while it stays in front of the camera (the page that
// answers starts the scanner again): take it away for a moment to scan it once more.
(async () => {
  const form = document.getElementById("check-in-form");
  const input = document.getElementById("code");
  const video = document.getElementById("camera");
  if (!form || !input || !video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;

  const viaDetector = async () => {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (!formats.includes("qr_code")) return null;
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return async () => {
        const found = await detector.detect(video);
        return found.length ? found[0].rawValue : null;
      };
    } catch (e) { return null; }
  };

  const viaJsQR = async () => {
    if (!window.jsQR) {
      const loaded = await new Promise((resolve) => {
        const script = document.createElement("script");
        script.src = "/vendor/jsQR.js";
        script.onload = () => resolve(true);
        script.onerror = () => resolve(false);
        document.head.appendChild(script);
      });
      if (!loaded || !window.jsQR) return null;
    }
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async () => {
      const w = video.videoWidth, h = video.videoHeight;
      if (!w || !h) return null;
      const scale = Math.min(1, 800 / Math.max(w, h));  // big enough for a phone's QR, cheap enough per frame
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
      return found && found.data ? found.data : null;
    };
  };

  const read = (await viaDetector()) || (await viaJsQR());
  if (!read) return;
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (e) { return; }
  video.style.width = "100%";  // a phone's card, not the camera's 640 or 1280 pixels
  video.style.maxWidth = "32rem";
  video.style.height = "auto";
  video.srcObject = stream;
  try { await video.play(); } catch (e) { /* muted + playsinline: plays in every browser we know */ }
  document.getElementById("scanner").hidden = false;
  document.getElementById("no-camera").hidden = true;

  const KEY = "cp-check-in-sent";
  let sent = sessionStorage.getItem(KEY);
  let unseen = 0;  // frames in a row without the code just sent
  const look = async () => {
    let value = null;
    try { value = await read(); } catch (e) { /* a frame not ready yet */ }
    if (value && value !== sent) {
      sessionStorage.setItem(KEY, value);
      input.value = value;
      stream.getTracks().forEach((t) => t.stop());
      form.submit();
      return;
    }
    unseen = value ? 0 : unseen + 1;
    if (sent && unseen > 8) {  // about a second and a half without it: it may be scanned again
      sent = null;
      sessionStorage.removeItem(KEY);
    }
    setTimeout(look, 150);
  };
  look();
})();
