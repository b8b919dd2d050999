// The camera option of /v (progressive enhancement): in Chromium with a
// fake camera whose picture is a real attesta QR, the "scan with the
// camera" button reads it and opens its check. Chromium on Linux has no
// BarcodeDetector, so this is the jsQR path. Without JavaScript the button
// is not there and the code form works as before.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  api, cf, demoPeople, launchBrowser, screenshotPath, skipOrFail, skipReason, startServer,
} from './lib/harness.mjs';

const ANNA = 'NRENNA75D48L219';
const W = 640;
const H = 480;

const reason = skipReason();

/**
 * One frame of a Y4M video (4:2:0): the luma plane as given, the chroma
 * planes grey. Chromium's fake camera plays it in a loop.
 */
function y4m(luma, width, height) {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\nFRAME\n`, 'ascii');
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  return Buffer.concat([header, luma, chroma, chroma]);
}

/** The luma of the page's QR drawn on white at W × H, by the browser. */
async function qrLuma(page) {
  const b64 = await page.evaluate(async ({ w, h }) => {
    const svg = document.querySelector('figure.qr-full svg').cloneNode(true);
    svg.setAttribute('width', '400');
    svg.setAttribute('height', '400');
    const xml = new XMLSerializer().serializeToString(svg);
    const img = new Image();
    img.src = 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(xml)));
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, w, h);
    const side = Math.round(Math.min(w, h) * 0.85);
    g.drawImage(img, Math.round((w - side) / 2), Math.round((h - side) / 2), side, side);
    const d = g.getImageData(0, 0, w, h).data;
    const y = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) y[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
    let s = '';
    for (let i = 0; i < y.length; i += 0x8000) s += String.fromCharCode.apply(null, y.subarray(i, i + 0x8000));
    return btoa(s);
  }, { w: W, h: H });
  return Buffer.from(b64, 'base64');
}

describe('the camera option of /v', { concurrency: false }, () => {
  let server;
  let people;
  let plain;
  let dir;

  before(async () => {
    if (reason) return;
    server = await startServer();
    people = await demoPeople(server.base);
    plain = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'attesta-camera-'));
  });
  after(async () => {
    await plain?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a fake camera showing a real QR: the button reads it (jsQR) and opens its check', async (t) => {
    if (reason) return skipOrFail(t, reason);
    // Anna's QR, as her phone shows it, made into the camera's picture.
    const holder = await plain.newContext({ locale: 'it-IT' });
    let video;
    try {
      const a = api(holder, server.base);
      await a.loginCitizen(cf(people, ANNA));
      await a.acceptPrivacy().catch(() => {});
      await a.generate();
      const page = await holder.newPage();
      await page.goto(`${server.base}/me/qr`);
      video = join(dir, 'qr.y4m');
      writeFileSync(video, y4m(await qrLuma(page), W, H));
    } finally {
      await holder.close();
    }

    const browser = await launchBrowser([
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const context = await browser.newContext({ locale: 'it-IT', permissions: ['camera'] });
      const page = await context.newPage();
      const library = page.waitForResponse((r) => r.url().includes('/static/vendor/jsqr-'));
      await page.goto(`${server.base}/v`);
      assert.equal(await page.evaluate(() => 'BarcodeDetector' in window), false,
        'this Chromium has BarcodeDetector: the jsQR path is not exercised');
      const button = page.getByRole('button', { name: 'Leggi con la fotocamera' });
      assert.ok(await button.isVisible(), 'no camera button where a camera can be opened');
      // By keyboard: from the focused code field, Tab to the button, Enter.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.closest('#camera') !== null), true,
        'Tab from the code field does not reach the camera button');
      await Promise.all([
        page.waitForURL(/\/v\/check\/[0-9a-f]{32}$/, { timeout: 30_000 }),
        page.keyboard.press('Enter'),
      ]);
      assert.equal((await library).status(), 200);
      await page.screenshot({ path: screenshotPath('camera-check-1280x800'), fullPage: true });
      // The check of Anna's QR: her codice fiscale gives her result.
      await page.keyboard.type(cf(people, ANNA));
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.match(await page.locator('.outcome').innerText(), /rientra in almeno una delle casistiche/);
      await context.close();
    } finally {
      await browser.close();
    }
  });

  test('without a camera the button says so; without JavaScript there is none', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const context = await plain.newContext({ locale: 'it-IT' });
    try {
      const page = await context.newPage();
      await page.goto(`${server.base}/v`);
      await page.getByRole('button', { name: 'Leggi con la fotocamera' }).click();
      // "Starting the camera…", then the refusal in words (no camera here).
      const refused = /Non è stato possibile usare la fotocamera|non ha dato il permesso/;
      await page.locator('#camera [role="status"]').filter({ hasText: refused }).waitFor({ timeout: 10_000 });
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'code', 'focus is not back on the code field');
    } finally {
      await context.close();
    }
    const nojs = await plain.newContext({ locale: 'it-IT', javaScriptEnabled: false });
    try {
      const page = await nojs.newPage();
      await page.goto(`${server.base}/v`);
      assert.equal(await page.locator('#camera').isVisible(), false);
      assert.equal(await page.getByRole('button', { name: 'Leggi con la fotocamera' }).count(), 0);
      await page.fill('#code', 'not-a-code');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.match(await page.locator('#code-error').innerText(), /non è valido/);
    } finally {
      await nojs.close();
    }
  });
});
