// Every page of attesta, in every language of LANGS, through axe-core at
// WCAG 2.1 A and AA (0 violations), plus: a language on <html>, a skip link
// to <main>, visible focus on everything that takes it, 44 px targets, no
// horizontal scroll at 360 px, at 200 % zoom nor at 320 px, its weight
// (at most 150 KB transferred with an empty cache, printed with the weight
// of a second load with the cache warm), and screenshots at 360 × 800 and
// 1280 × 800 in target/screenshots/.
//
// Adding a page is one line in PAGES: a path, or a setup function that
// seeds state through the HTTP API (see lib/harness.mjs) and returns the
// path, or leaves the page where it should be audited (forms that POST).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';

import {
  LANGS, api, axeViolations, cf, demoPeople, focusProblems, horizontalOverflow, kb,
  launchBrowser, screenshotPath, skipOrFail, skipReason, smallTargets, startServer,
  verifyPath, weighing, withLang, latestOtp, ADMIN_KEY,
} from './lib/harness.mjs';

// Every page, with its stylesheet, fonts and images, from an empty cache
// (SPEC: light pages for slow phones; fonts cached after the first page).
const MAX_PAGE_BYTES = 150_000;

// Demo people by the first 15 characters of their codice fiscale.
const GIULIA = 'BNCGLI85M52A662'; // qualifies: the /me states
const MARIO = 'RSSMRA80A01H501'; // qualifies: Giulia's delegate
const PAOLO = 'RMNPLA70E20D612'; // code 01: no case
const ANNA = 'NRENNA75D48L219'; // qualifies: level-1 pages and the code form
const LUCA = 'VRDLCU90C15F205'; // qualifies: level-2 error and result (each holder
const MARIA = 'GLLMRA50L60C351'; // gets a few codes an hour, so they take turns)
const SOFIA = 'SPSSFO15H41F839'; // qualifies: a revoked QR (410)
const OPERATOR = 'MRNDVD79P12L219';

/** A QR of `who`: login, privacy notice, generate; the context is logged out after. */
async function qrOf(h, who) {
  await h.api.loginCitizen(cf(h.people, who));
  await h.api.acceptPrivacy().catch(() => {});
  const a = await h.api.generate();
  await h.api.logout();
  return a;
}

/** The level-1 result for Anna, as an operator when `operator` is set. */
async function level1(h, { operator = false, fiscalCode, holder = ANNA } = {}) {
  const { url } = await qrOf(h, holder);
  if (operator) await h.api.loginOperator(h.people.find((p) => p.fiscalCode.startsWith(OPERATOR)));
  await h.goto(verifyPath(url));
  await h.page.fill('#fiscal_code', fiscalCode ?? cf(h.people, holder));
  await Promise.all([h.page.waitForNavigation(), h.page.click('main form[action^="/v/"] button[type="submit"]')]);
}

async function level2CodeForm(h, holder = ANNA) {
  await level1(h, { operator: true, holder });
  await Promise.all([h.page.waitForNavigation(), h.page.click('form[action$="/level2"] button')]);
}

// name: file name of screenshots; path or setup; status: the HTTP status
// the page answers with (default 200; null: not checked, for pages reached
// by a form); optional: skip when the server answers its 404 page (a page
// that exists only in some builds).
const PAGES = [
  { name: 'landing', path: '/' },
  { name: 'demo-login', path: '/demo' },
  { name: 'me-no-qr', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); return '/me'; } },
  { name: 'new-request-1', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); return '/me/new'; } },
  { name: 'new-request-2', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); return '/me/new?step=2'; } },
  { name: 'new-request-no-status', setup: async (h) => { await h.api.loginCitizen(cf(h.people, PAOLO)); return '/me/new'; } },
  { name: 'me-with-qr', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); await h.api.acceptPrivacy(); await h.api.generate(); return '/me?done=generated'; } },
  { name: 'me-delegates', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); await h.api.addDelegate(cf(h.people, MARIO)); return '/me?done=delegate_added'; } },
  { name: 'me-delegate-error', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); await h.goto('/me'); await h.page.fill('#delegate_cf', 'RSSMRA80A01H501X'); await Promise.all([h.page.waitForNavigation(), h.page.click('form[action="/me/delegates"] button[type="submit"]')]); }, status: null },
  { name: 'me-qr-full-screen', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); await h.api.acceptPrivacy().catch(() => {}); await h.api.generate(); return '/me/qr'; } },
  { name: 'me-represents', setup: async (h) => { await h.api.loginCitizen(cf(h.people, MARIO)); return '/me'; } },
  { name: 'me-acting-for', setup: async (h) => { await h.api.loginCitizen(cf(h.people, MARIO)); await h.api.actFor(cf(h.people, GIULIA)); return '/me'; } },
  { name: 'me-revoked', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); await h.api.revoke().catch(() => {}); return '/me?done=revoked'; } },
  { name: 'me-no-status', setup: async (h) => { await h.api.loginCitizen(cf(h.people, PAOLO)); return '/me'; } },
  { name: 'me-checked', setup: async (h) => { await level2Result(h, MARIA); await h.api.logout(); await h.api.loginCitizen(cf(h.people, MARIA)); return '/me'; } },
  { name: 'messages', setup: async (h) => { await h.api.loginCitizen(cf(h.people, MARIO)); return '/me/messages'; } },
  { name: 'payments', setup: async (h) => { await h.api.loginCitizen(cf(h.people, MARIO)); return '/me/payments'; } },
  { name: 'payments-none', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); return '/me/payments'; } },
  { name: 'benefits', setup: async (h) => { await h.api.loginCitizen(cf(h.people, ANNA)); return '/me/benefits'; } },
  { name: 'benefits-income-error', setup: async (h) => { await h.api.loginCitizen(cf(h.people, ANNA)); return '/me/benefits?income=abc'; }, status: 422 },
  { name: 'check-code', path: '/v' },
  { name: 'check-code-error', setup: async (h) => { await h.goto('/v'); await h.page.fill('#code', 'not-a-code'); await Promise.all([h.page.waitForNavigation(), h.page.keyboard.press('Enter')]); }, status: null },
  // The scan-again page: a check whose handle is over (or never was).
  { name: 'check-expired', path: '/v/check/00000000000000000000000000000000', status: 410 },
  { name: 'guide', path: '/v/guide' },
  { name: 'verify', setup: async (h) => verifyPath((await qrOf(h, ANNA)).url) },
  { name: 'verify-error', setup: (h) => level1(h, { fiscalCode: 'RSSMRA80A01H501X' }), status: null },
  { name: 'result-level1', setup: (h) => level1(h), status: null },
  { name: 'result-level1-operator', setup: (h) => level1(h, { operator: true }), status: null },
  { name: 'level2-code', setup: level2CodeForm, status: null },
  { name: 'level2-code-error', setup: async (h) => { await level2CodeForm(h, level2Holder(h, LUCA, SOFIA)); await h.page.fill('#otp', '000000'); await Promise.all([h.page.waitForNavigation(), h.page.click('form[action="/v/level2"] button')]); }, status: null },
  { name: 'level2-result', setup: (h) => level2Result(h, level2Holder(h, LUCA, MARIO)), status: null },
  { name: 'error-404', path: '/no-such-page', status: 404 },
  { name: 'error-410', setup: async (h) => { const { url } = await qrOf(h, SOFIA); await h.api.loginCitizen(cf(h.people, SOFIA)); await h.api.revoke(); await h.api.logout(); return verifyPath(url); }, status: 410 },
  { name: 'error-401', path: '/me', status: 401 },
  { name: 'login-expired', path: '/auth/callback?code=x&state=y', status: 400 },
  // EU Disability Card check (optional: skipped while the route is absent).
  { name: 'card-unreadable', path: '/c/NOT-A-CARD', status: null, optional: true },
  // A card presented from a wallet (SD-JWT VC): the nonce and the field,
  // the field left empty, and the result of a presentation that does not
  // verify.
  { name: 'card-present', path: '/c' },
  { name: 'card-present-error', setup: async (h) => { await h.goto('/c'); await Promise.all([h.page.waitForNavigation(), h.page.click('form[action="/c"] button[type="submit"]')]); }, status: null },
  { name: 'card-present-result', setup: async (h) => { await h.goto('/c'); await h.page.fill('#presentation', 'eyJhbGciOiJFUzI1NiJ9.e30.AA~WyJ9~'); await Promise.all([h.page.waitForNavigation(), h.page.click('form[action="/c"] button[type="submit"]')]); }, status: null },
  { name: 'card-apply', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); return '/me/card'; }, optional: true },
  { name: 'card-apply-photo-error', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); await h.goto('/me/card'); await h.page.setInputFiles('#photo', { name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') }); await Promise.all([h.page.waitForNavigation(), h.page.click('form[action="/me/card"] button[type="submit"]')]); }, status: null },
  // The card into the wallet (OpenID4VCI, issue #19): the offer page, from
  // the form on /me/card of an active card.
  { name: 'wallet-offer', setup: async (h) => { await activeCard(h); await h.goto('/me/card'); await Promise.all([h.page.waitForNavigation(), h.page.click('form[action="/me/card/wallet"] button[type="submit"]')]); }, status: null },
  // The journey (SPEC §10.2): a demo applicant of each procedure.
  { name: 'applications-ordinary', setup: async (h) => { await h.api.loginCitizen(cf(h.people, 'GRCLNE68E45A662')); return '/me/applications'; } },
  { name: 'applications-reform', setup: async (h) => { await h.api.loginCitizen(cf(h.people, 'FNTRRT72H10A662')); return '/me/applications'; } },
  { name: 'applications-reschedule-error', setup: async (h) => { await h.api.loginCitizen(cf(h.people, 'FNTRRT72H10A662')); await h.goto('/me/applications'); await Promise.all([h.page.waitForNavigation(), h.page.click('form.reschedule button[type="submit"]')]); }, status: null },
  { name: 'my-verbale', setup: async (h) => { await h.api.loginCitizen(cf(h.people, GIULIA)); return '/me/verbali/DEMO-0002'; } },
];

/** A grey portrait PNG of 450 × 600 pixels (a usable card photo). */
function portraitPng() {
  const [w, h] = [450, 600];
  const raw = Buffer.alloc((w * 3 + 1) * h, 0x99);
  for (let y = 0; y < h; y++) raw[y * (w * 3 + 1)] = 0;
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Logs in a holder with an active card (made once through the API: a person
 * with a mobile and a verbale with the "A" mark, an application, approval). */
async function activeCard(h) {
  const who = 'VRDGPP80A01H501U';
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const request = h.page.context().request;
  await request.put(`${h.base}/api/v1/admin/people/${who}`, { headers: admin, data: {
    given_name: 'Giuseppe', family_name: 'Verdi', birth_date: '1980-01-01', mobile: '+393331234567' } });
  await request.post(`${h.base}/api/v1/admin/verbali`, { headers: admin, data: {
    verbale_id: 'A11Y-WALLET', fiscal_code: who, kind: 'first_instance', session_date: '2024-05-10',
    definitive: true, source: 'telematic', invalidity_code: '05', invalidity_percentage: 100, revision: { exempt: true } } });
  await h.api.loginCitizen(who);
  const card = await request.get(`${h.base}/api/v1/me/card`);
  if (card.status() === 200 && (await card.json()).status === 'active') return;
  const applied = await request.post(`${h.base}/api/v1/me/card`, { headers: { origin: h.base },
    multipart: { photo: { name: 'photo.png', mimeType: 'image/png', buffer: portraitPng() } } });
  if (applied.status() !== 201) throw new Error(`card application: ${applied.status()} ${await applied.text()}`);
  const { application_id: id, status } = await applied.json();
  if (status === 'active') return;
  const approved = await request.post(`${h.base}/api/v1/admin/cards/${id}/approve`, { headers: admin });
  if (approved.status() !== 200) throw new Error(`card approval: ${approved.status()} ${await approved.text()}`);
}

/** Each holder gets a few codes an hour: the English run asks other holders. */
function level2Holder(h, italian, english) {
  return h.lang.code === 'it' ? italian : english;
}

async function level2Result(h, holder) {
  await level2CodeForm(h, holder);
  await h.page.fill('#otp', await latestOtp(h.base));
  await Promise.all([h.page.waitForNavigation(), h.page.click('form[action="/v/level2"] button')]);
}

// Viewports: 1280 × 800 desktop; 360 × 800 phone; 200 % zoom of a 1280 × 800
// window, which lays out exactly as a 640 × 400 CSS px viewport (media
// queries included) drawn at 2 device pixels per CSS pixel.
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 800 };
const ZOOM_200 = { width: 640, height: 400 };
// WCAG 1.4.10 (reflow): content at 320 CSS px wide (1280 px at 400 %)
// without scrolling in two directions.
const REFLOW_320 = { width: 320, height: 800 };

const reason = skipReason();

describe('accessibility of every page (axe-core, WCAG 2.1 A/AA)', { concurrency: false }, () => {
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

  for (const lang of LANGS) {
    for (const entry of PAGES) {
      test(`${entry.name} [${lang.code}]`, async (t) => {
        if (reason) return skipOrFail(t, reason);
        const context = await browser.newContext({ viewport: DESKTOP, locale: 'it-IT' });
        const page = await context.newPage();
        const scale = await weighing(page);
        const h = {
          base: server.base,
          people,
          page,
          api: api(context, server.base),
          goto: (p) => page.goto(server.base + withLang(p, lang)),
          lang,
        };
        try {
          let status = null;
          const path = entry.path ?? (await entry.setup?.(h));
          if (path) status = (await h.goto(path)).status();
          if (entry.optional && status === 404) {
            console.log(`# ${entry.name}: ${path} answers 404 in this build: skipped`);
            return t.skip(`${path} is not in this build`);
          }
          const want = entry.status === undefined ? [200] : entry.status === null ? null : [entry.status].flat();
          if (want) assert.ok(want.includes(status), `${entry.name}: HTTP ${status}, expected ${want.join(' or ')}`);

          const problems = [];
          // The weight: this visit from an empty cache, then the same page
          // again with the cache warm (a page reached by a form: the visit
          // that got there, after the setup's pages had filled the cache).
          const first = await scale.measure();
          let warm = first.transferred;
          if (path) {
            await h.goto(path);
            warm = (await scale.measure()).transferred;
          }
          console.log(`weight ${entry.name} ${lang.code}: ${kb(first.uncached)} KB (cached: ${kb(warm)} KB)`);
          if (first.uncached > MAX_PAGE_BYTES) {
            problems.push(`weighs ${kb(first.uncached)} KB with an empty cache (at most ${kb(MAX_PAGE_BYTES)} KB):\n  ${first.urls.join('\n  ')}`);
          }

          const violations = await axeViolations(page);
          if (violations.length) problems.push(`axe: ${violations.length} violation(s)\n${violations.join('\n')}`);

          const html = await page.evaluate(() => ({
            lang: document.documentElement.lang,
            skip: document.querySelector('a[href="#main"]') !== null && document.getElementById('main')?.tagName === 'MAIN',
            h1: document.querySelectorAll('h1').length,
          }));
          if (!html.lang) problems.push('<html> has no lang');
          if (!html.skip) problems.push('no skip link to <main id="main">');
          if (html.h1 !== 1) problems.push(`${html.h1} <h1> elements`);
          // A field marked invalid names its error through aria-describedby.
          const untied = await page.evaluate(() => [...document.querySelectorAll('[aria-invalid="true"]')]
            .filter((el) => !(el.getAttribute('aria-describedby') || '').split(/\s+/)
              .some((id) => id && document.getElementById(id)?.matches('.error-text, [role="alert"]')))
            .map((el) => el.id || el.name));
          if (untied.length) problems.push(`invalid fields without an error tied to them: ${untied.join(', ')}`);

          const focus = await focusProblems(page);
          if (focus.length) problems.push(`focus:\n  ${focus.join('\n  ')}`);
          const small = await smallTargets(page);
          if (small.length) problems.push(`targets under 44 × 44 px:\n  ${small.join('\n  ')}`);

          await page.evaluate(() => document.activeElement?.blur());
          const suffix = lang.code === 'it' ? '' : `-${lang.code}`;
          await page.screenshot({ path: screenshotPath(`${entry.name}${suffix}-1280x800`), fullPage: true });
          for (const [label, vp] of [['360 px', PHONE], ['200 % zoom', ZOOM_200], ['320 px (reflow)', REFLOW_320]]) {
            await page.setViewportSize(vp);
            const { over, culprits } = await horizontalOverflow(page);
            if (over) problems.push(`horizontal scroll at ${label}: ${over} px wider than the window; ${culprits.join(', ')}`);
            if (vp === PHONE) {
              const small360 = await smallTargets(page);
              if (small360.length) problems.push(`targets under 44 × 44 px at 360 px:\n  ${small360.join('\n  ')}`);
              await page.screenshot({ path: screenshotPath(`${entry.name}${suffix}-360x800`), fullPage: true });
            }
          }
          if (problems.length) assert.fail(`${entry.name} [${lang.code}] at ${page.url()}:\n${problems.join('\n')}`);
        } finally {
          await scale.detach();
          await context.close();
        }
      });
    }
  }
});
