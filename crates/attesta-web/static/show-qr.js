// The QR page works without this file. Where the browser allows, it adds a
// "full screen" button and keeps the screen on while the QR is shown, so
// the phone does not dim in front of the operator's reader.
'use strict';
const button = document.getElementById('fullscreen');
if (button && document.fullscreenEnabled) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await document.documentElement.requestFullscreen();
    } catch (_) { /* refused by the browser: the page stays as it is */ }
  });
  document.addEventListener('fullscreenchange', () => {
    button.setAttribute('aria-pressed', document.fullscreenElement ? 'true' : 'false');
  });
}
async function keepScreenOn() {
  try {
    if ('wakeLock' in navigator && document.visibilityState === 'visible') {
      await navigator.wakeLock.request('screen');
    }
  } catch (_) { /* not allowed here (battery saver, old browser): nothing to do */ }
}
document.addEventListener('visibilitychange', keepScreenOn);
keepScreenOn();
