// The code form works without this file. Where the browser can open a
// camera (navigator.mediaDevices.getUserMedia), it shows a "scan with the
// camera" button: the QR is read with the browser's BarcodeDetector where
// there is one, else with jsQR (self-hosted, /static/vendor/, loaded only
// when the button is pressed so that /v stays light), and what it read is
// put in the code field and the form submitted: the server takes the token
// out of it as from a handheld scanner (Token::from_scan).
'use strict';
const box = document.getElementById('camera');
const form = document.querySelector('form.code-form');
const field = document.getElementById('code');
if (box && form && field && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
  const button = box.querySelector('button');
  const status = box.querySelector('[role="status"]');
  const video = box.querySelector('video');
  let stream = null;
  let timer = null;
  box.hidden = false;

  const say = (key) => { status.textContent = box.dataset[key] || ''; };
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.hidden = true;
    button.setAttribute('aria-pressed', 'false');
  };

  // A reader: a function from the video to the QR's text (or null).
  async function reader() {
    if ('BarcodeDetector' in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes('qr_code')) {
          const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
          return async (v) => (await detector.detect(v))[0]?.rawValue ?? null;
        }
      } catch (_) { /* fall back to jsQR */ }
    }
    if (!window.jsQR) {
      await new Promise((ok, fail) => {
        const s = document.createElement('script');
        s.src = box.dataset.library;
        s.onload = ok;
        s.onerror = fail;
        document.head.appendChild(s);
      });
    }
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    return async (v) => {
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      if (!canvas.width || !canvas.height) return null;
      ctx.drawImage(v, 0, 0);
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      return window.jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
    };
  }

  button.addEventListener('click', async () => {
    if (stream) { stop(); say('stopped'); field.focus(); return; }
    try {
      say('starting');
      const read = await reader();
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      button.setAttribute('aria-pressed', 'true');
      say('reading');
      const tick = async () => {
        if (!stream) return;
        let text = null;
        try { text = await read(video); } catch (_) { /* a frame not ready yet */ }
        if (text) {
          stop();
          say('found');
          field.value = text;
          form.requestSubmit();
          return;
        }
        timer = setTimeout(tick, 150);
      };
      tick();
    } catch (e) {
      stop();
      say(e && e.name === 'NotAllowedError' ? 'denied' : 'unavailable');
      field.focus();
    }
  });
}
