// The park office's check-in scanner: the browser's BarcodeDetector on the camera,
// when there is one; typing the code works always (the form is the fallback).
(async () => {
  const form = document.getElementById("check-in-form");
  const input = document.getElementById("code");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  let detector;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return;
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  } catch (e) { return; }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (e) { return; }
  const video = document.getElementById("camera");
  video.srcObject = stream;
  await video.play();
  document.getElementById("scanner").hidden = false;
  document.getElementById("no-camera").hidden = true;
  const look = async () => {
    try {
      const found = await detector.detect(video);
      if (found.length) {
        input.value = found[0].rawValue;
        stream.getTracks().forEach((t) => t.stop());
        form.submit();
        return;
      }
    } catch (e) { /* a frame not ready yet */ }
    requestAnimationFrame(look);
  };
  look();
})();
