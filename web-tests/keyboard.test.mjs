// Keyboard-only runs of the citizen and operator flows: Tab to move, Enter
// to act, typing into fields. Nothing here clicks; seeding that is not part
// of the flow under test goes through the HTTP API.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';

import {
  api, cf, demoPeople, latestOtp, launchBrowser, skipOrFail, skipReason, startServer,
} from './lib/harness.mjs';

const MARIO = 'RSSMRA80A01H501'; // citizen flow
const ANNA = 'NRENNA75D48L219'; // holder checked by the operators
const SOFIA = 'SPSSFO15H41F839'; // verbale guide: definitive verbale, no privacy notice accepted yet
// The queue at the counter: three more holders who qualify.
const QUEUE = ['BNCGLI85M52A662', 'VRDLCU90C15F205', 'GLLMRA50L60C351'];

const reason = skipReason();

/** A 2×2 white PNG, made here (the upload must be a real image). */
function tinyPng() {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0); ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  // Two rows: filter byte 0, then 2 white RGB pixels.
  const raw = Buffer.from([0, 255, 255, 255, 255, 255, 255, 0, 255, 255, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What has focus: tag, id, text (visible text or value), inside <main>. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName.toLowerCase(),
      id: el?.id ?? '',
      text: (el?.innerText || el?.value || '').replace(/\s+/g, ' ').trim(),
      inMain: !!el?.closest('main'),
      href: el?.getAttribute('href') ?? '',
    };
  });
}

/**
 * Presses Tab until the focused element matches `want` (a function of
 * `focused()`'s answer); fails after `max` presses.
 */
async function tabTo(page, what, want, max = 40) {
  // Already there (a field focused on arrival): no Tab needed.
  const now = await focused(page);
  if (now.tag !== 'body' && want(now)) return now;
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (want(f)) return f;
    seen.push(`${f.tag}#${f.id} "${f.text.slice(0, 30)}"`);
  }
  assert.fail(`Tab never reached ${what} on ${page.url()}; focus went through:\n  ${seen.join('\n  ')}`);
}

const byText = (re) => (f) => re.test(f.text);
const byId = (id) => (f) => f.id === id;

/**
 * Waits until the browser has applied a page's `autofocus` to the element
 * `id` (up to 2 s), then returns whether it did. Browsers run autofocus at a
 * rendering step after the document is ready, so it may not have happened
 * yet when `waitForNavigation()` resolves at `load`: reading
 * `document.activeElement` at once is what made this file fail 1 run in 3.
 */
async function autofocused(page, id) {
  try {
    await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 2000, polling: 'raf' });
    return true;
  } catch {
    return false;
  }
}

/** Enter on the focused control, waiting for the page it leads to. */
async function enterAndWait(page) {
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

describe('keyboard only', { concurrency: false }, () => {
  let server;
  let browser;
  let people;

  before(async () => {
    if (reason) return;
    server = await startServer();
    browser = await launchBrowser();
    people = await demoPeople(server.base);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function freshPage() {
    // An Italian browser: the pages follow Accept-Language.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, locale: 'it-IT' });
    return { context, page: await context.newPage() };
  }

  test('citizen: demo login, new request, privacy notice and generate, QR full screen, PDF, revoke', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const { context, page } = await freshPage();
    try {
      await page.goto(`${server.base}/demo`);
      await tabTo(page, 'Mario Rossi\'s login button', byText(/^Entra come Mario Rossi/));
      await enterAndWait(page);
      assert.match(new URL(page.url()).pathname, /^\/me$/);

      // The skip link is the first stop and lands in <main>.
      const skip = await tabTo(page, 'the skip link', (f) => f.href === '#main', 1);
      assert.match(skip.text, /Vai al contenuto principale/);
      await page.keyboard.press('Enter');
      const next = await tabTo(page, 'a control inside <main>', (f) => f.tag !== 'body', 1);
      assert.ok(next.inMain, `after the skip link, Tab went to ${next.tag}#${next.id} outside <main>`);

      // New request: contact data, then the privacy notice and confirm.
      await tabTo(page, 'the new-request link', byText(/^Nuova richiesta/));
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me/new');
      await tabTo(page, 'the continue link', byText(/^Procedi/));
      await enterAndWait(page);
      assert.match(await page.locator('main').innerText(), /Informativa sul trattamento dei dati/);
      await tabTo(page, 'the accept-and-generate button', byText(/^Accetto e genero il QR/));
      await enterAndWait(page);
      assert.match(await page.locator('[role="status"]').innerText(), /Nuovo QR generato/);
      assert.equal(await page.locator('figure.qr svg').count(), 1, 'no QR on the page');

      // The QR full screen, and back.
      await tabTo(page, 'the full-screen QR link', byText(/^Mostra il QR a schermo intero/));
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me/qr');
      assert.equal(await page.locator('figure.qr-full svg[role="img"]').count(), 1, 'no QR on the full-screen page');
      await tabTo(page, 'the close link', byText(/^Chiudi/));
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me');

      // The PDF link: the browser either shows the PDF or downloads it.
      await tabTo(page, 'the PDF link', byText(/^Stampa o scarica il PDF/));
      const pdf = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/attestation/pdf'));
      const download = page.waitForEvent('download').catch(() => null);
      await page.keyboard.press('Enter');
      const r = await pdf;
      assert.equal(r.status(), 200);
      assert.match(r.headers()['content-type'], /application\/pdf/);
      const d = await Promise.race([download, new Promise((ok) => setTimeout(() => ok(null), 1500))]);
      if (d) await d.cancel().catch(() => {});
      else if (new URL(page.url()).pathname.endsWith('/pdf')) await page.goBack();
      await page.waitForLoadState();
      if (!new URL(page.url()).pathname.startsWith('/me')) await page.goto(`${server.base}/me`);

      await page.evaluate(() => document.activeElement?.blur());
      await tabTo(page, 'the revoke button', byText(/^Revoca il QR/));
      await enterAndWait(page);
      assert.match(await page.locator('[role="status"]').innerText(), /QR revocato/);
      assert.equal(await page.locator('figure.qr').count(), 0, 'the QR is still shown after revoking');
    } finally {
      await context.close();
    }
  });

  /** A QR of Anna's, made through the API: {url, short_code}. */
  async function annasQr() {
    const { context } = await freshPage();
    try {
      const a = api(context, server.base);
      await a.loginCitizen(cf(people, ANNA));
      await a.acceptPrivacy().catch(() => {});
      return await a.generate();
    } finally {
      await context.close();
    }
  }

  /** /v → short code → codice fiscale → the level-1 result, by keyboard. */
  async function level1ByKeyboard(page, qr, { wrongFirst }) {
    await tabTo(page, 'the code field', byId('code'));
    await page.keyboard.type(qr.short_code);
    await tabTo(page, 'the continue button', byText(/^Continua/));
    await enterAndWait(page);
    // The check's address holds a handle, never the token (SPEC §12).
    assert.match(new URL(page.url()).pathname, /^\/v\/check\/[0-9a-f]{32}$/);

    if (wrongFirst) {
      await tabTo(page, 'the codice fiscale field', byId('fiscal_code'));
      await page.keyboard.type(cf(people, MARIO)); // valid, but not Anna's
      await enterAndWait(page); // Enter in the field submits the form
      // The error is tied to the field, and focus is back on it.
      const focusedField = await autofocused(page, 'fiscal_code');
      const field = await page.evaluate(() => {
        const el = document.getElementById('fiscal_code');
        const described = (el.getAttribute('aria-describedby') || '').split(/\s+/)
          .map((id) => document.getElementById(id)?.innerText ?? '').join(' ');
        return { invalid: el.getAttribute('aria-invalid'), described };
      });
      assert.equal(field.invalid, 'true');
      assert.match(field.described, /tentativ|attempt/i, `error not tied to the field: ${field.described}`);
      assert.ok(focusedField, 'focus is not on the field after the error');
      await page.keyboard.press('Control+A');
      await page.keyboard.type(cf(people, ANNA));
      await tabTo(page, 'the check button', byText(/^Verifica/));
    } else {
      await tabTo(page, 'the codice fiscale field', byId('fiscal_code'));
      await page.keyboard.type(cf(people, ANNA).toLowerCase());
      await tabTo(page, 'the check button', byText(/^Verifica/));
    }
    await enterAndWait(page);
    assert.match(await page.locator('.outcome').innerText(), /rientra in almeno una delle casistiche/);
  }

  test('operator level 1: short code, wrong then right codice fiscale', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const qr = await annasQr();
    const { context, page } = await freshPage();
    try {
      await page.goto(`${server.base}/`);
      await tabTo(page, 'the "check a QR" link', byText(/^Verifica un QR/));
      await enterAndWait(page);
      await level1ByKeyboard(page, qr, { wrongFirst: true });
    } finally {
      await context.close();
    }
  });

  test('operator level 2: demo login, level 1, ask for the detail, code from the outbox', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const qr = await annasQr();
    const { context, page } = await freshPage();
    try {
      await page.goto(`${server.base}/demo`);
      await tabTo(page, 'an operator\'s login button', byText(/^Entra come Davide Marino/), 80);
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/v');
      await level1ByKeyboard(page, qr, { wrongFirst: false });

      await tabTo(page, 'the ask-for-detail button', byText(/^Chiedi il dettaglio/));
      await enterAndWait(page);
      // The code field takes focus by itself.
      assert.ok(await autofocused(page, 'otp'), 'the code field is not focused on arrival');
      await page.keyboard.type(await latestOtp(server.base));
      await tabTo(page, 'the show-detail button', byText(/^Mostra il dettaglio/));
      await enterAndWait(page);
      assert.match(await page.locator('h1').innerText(), /Esito di secondo livello/);
      assert.match(await page.locator('main table').first().innerText(), /Percentuale di invalidità/);
    } finally {
      await context.close();
    }
  });
  /** A fresh QR of the demo holder `who` (first 15 characters). */
  async function qrOfHolder(who) {
    const { context } = await freshPage();
    try {
      const a = api(context, server.base);
      await a.loginCitizen(cf(people, who));
      await a.acceptPrivacy().catch(() => {});
      return await a.generate();
    } finally {
      await context.close();
    }
  }

  /** The field that has focus, with what a screen reader reads with it. */
  function focusedField(page) {
    return page.evaluate(() => {
      const el = document.activeElement;
      const described = (el?.getAttribute('aria-describedby') || '').split(/\s+/)
        .map((id) => document.getElementById(id)?.innerText ?? '').join(' ');
      return { id: el?.id ?? '', value: el?.value ?? '', described, inNext: !!el?.closest('.next-qr') };
    });
  }

  // A handheld scanner in keyboard-wedge mode types the QR's whole address
  // and Enter into whatever has focus; set for another keyboard layout, it
  // types Ç for : and - for / (SPEC §12).
  test('counter: a scanner typing the whole URL plus Enter into /v lands on the check (also mangled)', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const qr = await annasQr();
    const mangled = qr.url.replace(/:/g, 'Ç').replace(/\//g, '-');
    const { context, page } = await freshPage();
    try {
      for (const scan of [qr.url, mangled, qr.url.toLowerCase()]) {
        await page.goto(`${server.base}/v`);
        assert.equal((await focusedField(page)).id, 'code', 'the code field is not focused on arrival');
        await page.keyboard.type(scan);
        await enterAndWait(page);
        const path = new URL(page.url()).pathname;
        assert.match(path, /^\/v\/check\/[0-9a-f]{32}$/, `${scan} led to ${path}`);
        assert.ok(!page.url().includes(qr.url.split('/').pop()), 'the token is in the address');
        assert.equal((await focusedField(page)).id, 'fiscal_code', 'the codice fiscale field is not focused');
      }
    } finally {
      await context.close();
    }
  });

  test('card from a wallet: Tab to the presentation field, paste, check, and on to another card', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const { context, page } = await freshPage();
    try {
      await page.goto(`${server.base}/c`);
      await tabTo(page, 'the presentation field', byId('presentation'));
      await page.keyboard.type('eyJhbGciOiJFUzI1NiJ9.e30.AA~WyJ9~');
      await tabTo(page, 'the check button', byText(/^Verifica$/));
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/c', 'the presentation is in the address');
      const outcome = await page.getAttribute('[data-outcome]', 'data-outcome');
      assert.equal(outcome, 'invalid_signature');
      await tabTo(page, 'the link to check another card', byText(/Verifica un'altra tessera/));
      await enterAndWait(page);
      assert.ok(await page.$('#presentation'), 'back on the form');
    } finally {
      await context.close();
    }
  });

  test('counter: three QRs in a row by keyboard alone (scan, Enter, codice fiscale, Enter, result, next scan)', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const queue = [];
    for (const who of QUEUE) queue.push({ who, qr: await qrOfHolder(who) });
    const { context, page } = await freshPage();
    try {
      await page.goto(`${server.base}/v`);
      for (const [i, { who, qr }] of queue.entries()) {
        const field = await focusedField(page);
        assert.equal(field.id, 'code', `QR ${i + 1}: the code field is not focused`);
        assert.equal(field.value, '', `QR ${i + 1}: the code field is not empty`);
        if (i > 0) {
          // The next-QR field of the result page, and the result read with it.
          assert.ok(field.inNext, 'focus is not in the next-QR field');
          assert.match(field.described, /rientra in almeno una delle casistiche/);
        }
        await page.keyboard.type(qr.url);
        await enterAndWait(page);
        assert.equal((await focusedField(page)).id, 'fiscal_code');
        await page.keyboard.type(cf(people, who));
        await enterAndWait(page);
        // The result in symbol and words; the title says it first.
        const outcome = await page.locator('.outcome').innerText();
        assert.match(outcome, /✓/);
        assert.match(outcome, /rientra in almeno una delle casistiche/);
        assert.match(await page.title(), /^✓ Rientra nelle casistiche/);
        const holder = people.find((p) => p.fiscalCode === cf(people, who));
        if (holder?.name) assert.match(await page.locator('main').innerText(), new RegExp(holder.name));
      }
      const last = await focusedField(page);
      assert.equal(last.id, 'code', 'after the third result the next-QR field is not focused');
      assert.ok(last.inNext);
    } finally {
      await context.close();
    }
  });

  test('citizen journey: the timeline, apply from a certificate, ask for a new date', async (t) => {
    if (reason) return skipOrFail(t, reason);
    // Elena Greco (ordinary, awaiting INPS) has a certificate to apply from.
    let { context, page } = await freshPage();
    try {
      await page.goto(`${server.base}/demo`);
      await tabTo(page, 'Elena Greco\'s login button', byText(/^Entra come Elena Greco/), 80);
      await enterAndWait(page);
      await tabTo(page, 'the applications link', byText(/^Le mie domande di accertamento/), 80);
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me/applications');
      // The skip link lands in <main>, where the timeline is read in words.
      await tabTo(page, 'the skip link', (f) => f.href === '#main', 1);
      await page.keyboard.press('Enter');
      const timeline = await page.locator('ol.timeline [aria-current="step"]').first().innerText();
      assert.match(timeline, /Validazione INPS: in corso/);
      await tabTo(page, 'the apply button', byText(/^Presenta la domanda/));
      await enterAndWait(page);
      assert.match(await page.locator('[role="status"]').innerText(), /Domanda presentata/);
      assert.equal(await page.locator('ol.timeline').count(), 2, 'the new application has its timeline');
    } finally {
      await context.close();
    }

    // Roberto Fontana (reform, convoked next week) asks for a new date.
    ({ context, page } = await freshPage());
    try {
      await page.goto(`${server.base}/demo`);
      await tabTo(page, 'Roberto Fontana\'s login button', byText(/^Entra come Roberto Fontana/), 80);
      await enterAndWait(page);
      await tabTo(page, 'the applications link', byText(/^Le mie domande di accertamento/), 80);
      await enterAndWait(page);
      // Sent empty: the error summary, and the field takes focus.
      await tabTo(page, 'the reschedule button', byText(/^Chiedi una nuova data/));
      await enterAndWait(page);
      assert.match(await page.locator('.error-summary').innerText(), /Scrivi il motivo della richiesta/);
      assert.equal((await focused(page)).id, 'reschedule-reason', 'the reason field is not focused after the error');
      await page.keyboard.type('Ricovero programmato quel giorno');
      await tabTo(page, 'the reschedule button', byText(/^Chiedi una nuova data/));
      await enterAndWait(page);
      assert.match(await page.locator('[role="status"]').innerText(), /Richiesta di una nuova data inviata/);
      assert.match(await page.locator('main').innerText(), /visita da riprogrammare/);
    } finally {
      await context.close();
    }
  });
  test('citizen messages: from /me to the unread message, mark it read', async (t) => {
    if (reason) return skipOrFail(t, reason);
    // Mario Rossi has two demo messages, one of them unread.
    const { context, page } = await freshPage();
    try {
      await page.goto(`${server.base}/demo`);
      await tabTo(page, 'Mario Rossi\'s login button', byText(/^Entra come Mario Rossi/), 80);
      await enterAndWait(page);
      const link = await tabTo(page, 'the messages link', byText(/^Comunicazioni/), 80);
      assert.match(link.text, /1 da leggere/, 'the link tells the unread count in words');
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me/messages');
      assert.equal(await page.locator('article.message-unread').count(), 1);
      const button = await tabTo(page, 'the mark-as-read button', byText(/^Segna come letta/));
      assert.equal(button.inMain, true);
      await enterAndWait(page);
      assert.match(await page.locator('[role="status"]').innerText(), /segnata come letta/);
      assert.equal(await page.locator('article.message-unread').count(), 0);
      assert.equal(await page.locator('button', { hasText: /Segna come letta/ }).count(), 0);
    } finally {
      await context.close();
    }
  });

  /** Demo login as `name` by keyboard, landing on /me. */
  async function loginByKeyboard(page, name) {
    await page.goto(`${server.base}/demo`);
    await tabTo(page, `${name}'s login button`, byText(new RegExp(`^Entra come ${name}`)), 80);
    await enterAndWait(page);
    assert.equal(new URL(page.url()).pathname, '/me');
  }

  test('verbale guide: from /me to the guide, its QR button (privacy notice first), the same QR on a second press', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const { context, page } = await freshPage();
    try {
      await loginByKeyboard(page, 'Sofia Esposito');
      // The notice on /me leads to the guide.
      const toGuide = async () => {
        await page.evaluate(() => document.activeElement?.blur());
        const link = await tabTo(page, 'the verbale-issued notice', byText(/^Il tuo verbale è definitivo dal/), 80);
        assert.equal(link.inMain, true);
        await enterAndWait(page);
        assert.equal(new URL(page.url()).pathname, '/me/verbali/DEMO-0006');
        assert.match(await page.locator('main').innerText(), /Codice 07/);
      };
      const pressQr = async () => {
        const button = await tabTo(page, 'the guide\'s QR button', byText(/^Mostra il mio codice QR/), 80);
        assert.equal(button.tag, 'button');
        await enterAndWait(page);
      };
      const shownCode = async () => {
        assert.equal(new URL(page.url()).pathname, '/me/qr');
        assert.equal(await page.locator('figure.qr-full svg').count(), 1, 'no QR on the page');
        return (await page.locator('figure.qr-full .code').innerText()).trim();
      };
      await toGuide();
      await pressQr();
      // No privacy notice accepted yet: through it by keyboard.
      assert.equal(new URL(page.url()).pathname, '/me/new');
      await tabTo(page, 'the continue link', byText(/^Procedi/));
      await enterAndWait(page);
      await tabTo(page, 'the accept-and-generate button', byText(/^Accetto e genero il QR/));
      await enterAndWait(page);
      assert.match(await page.locator('[role="status"]').innerText(), /Nuovo QR generato/);
      const made = (await page.locator('figure.qr .code').innerText()).trim();

      // Back to the guide: the button now shows the active QR at once …
      await toGuide();
      await pressQr();
      const first = await shownCode();
      assert.equal(first, made, 'the guide made another QR instead of showing the active one');
      // … and a second press shows the same one: nothing is revoked.
      await tabTo(page, 'the close link', byText(/^Chiudi/));
      await enterAndWait(page);
      await toGuide();
      await pressQr();
      assert.equal(await shownCode(), first, 'a second press changed the QR');
      const me = await page.request.get(`${server.base}/api/v1/me/attestation`);
      assert.equal(me.status(), 200);
    } finally {
      await context.close();
    }
  });

  test('documents: reach the file field of an open application, send a PNG, the page lists it', async (t) => {
    if (reason) return skipOrFail(t, reason);
    // Roberto Fontana's reform application is open.
    const { context, page } = await freshPage();
    try {
      await loginByKeyboard(page, 'Roberto Fontana');
      await tabTo(page, 'the applications link', byText(/^Le mie domande di accertamento/), 80);
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me/applications');
      const field = await tabTo(page, 'the document field', (f) => f.tag === 'input' && f.id.startsWith('file-'), 80);
      // The OS file dialog is the one step a page cannot drive by keyboard.
      await page.locator(`#${field.id}`).setInputFiles({ name: 'referto-keyboard.png', mimeType: 'image/png', buffer: tinyPng() });
      const send = await tabTo(page, 'the send button', byText(/^Invia il documento/), 3);
      assert.equal(send.tag, 'button');
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me/applications');
      assert.match(await page.locator('[role="status"]').innerText(), /Documento inviato/);
      const listed = await page.locator('ul.documents li').allInnerTexts();
      assert.ok(listed.some((li) => li.includes('referto-keyboard.png')), `not listed: ${listed.join(' | ')}`);
    } finally {
      await context.close();
    }
  });

  test('payments: from /me to the payments, the tables in order, Tab reaches the way back', async (t) => {
    if (reason) return skipOrFail(t, reason);
    // Mario Rossi's monthly allowance: two months paid, this one planned.
    const { context, page } = await freshPage();
    try {
      await loginByKeyboard(page, 'Mario Rossi');
      await tabTo(page, 'the payments link', byText(/^Pagamenti e cedolini/), 80);
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me/payments');
      // The skip link lands in <main>; the tables are there with headers.
      await tabTo(page, 'the skip link', (f) => f.href === '#main', 1);
      await page.keyboard.press('Enter');
      const tables = await page.evaluate(() => [...document.querySelectorAll('main table')].map((table) => ({
        caption: table.caption?.innerText.trim() ?? '',
        cols: [...table.querySelectorAll('thead th[scope="col"]')].map((th) => th.innerText.trim()),
        rows: [...table.querySelectorAll('tbody tr')].map((tr) => tr.querySelector('th[scope="row"]')?.innerText.trim()),
      })));
      assert.equal(tables.length, 2, JSON.stringify(tables));
      assert.deepEqual(tables[0].cols, ['Prestazione', 'Pagato', 'Previsto']);
      assert.deepEqual(tables[1].cols, ['Mese', 'Prestazione', 'Importo', 'Stato']);
      assert.ok(tables.every((x) => x.caption), 'a table without a caption');
      // Newest month first (MM/YYYY).
      const months = tables[1].rows.map((m) => { const [mm, yyyy] = m.split('/'); return Number(yyyy) * 12 + Number(mm); });
      assert.equal(months.length, 3, tables[1].rows.join(', '));
      assert.deepEqual([...months].sort((a, b) => b - a), months, `not newest first: ${tables[1].rows}`);
      // From <main>, Tab goes to the way back, after both tables.
      const back = await tabTo(page, 'the link back to the personal area', byText(/^Torna all'area personale/), 5);
      assert.equal(back.inMain, true);
      assert.ok(await page.evaluate(() => {
        const last = [...document.querySelectorAll('main table')].pop();
        return !!(last.compareDocumentPosition(document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING);
      }), 'the link back comes before the tables');
      await enterAndWait(page);
      assert.equal(new URL(page.url()).pathname, '/me');
    } finally {
      await context.close();
    }
  });
});
