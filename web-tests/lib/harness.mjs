// Shared harness of the browser suites: starts the real `attesta serve
// --demo` on a free port with a fresh data directory, launches Debian's
// chromium through playwright-core, and offers the checks every page gets
// (axe-core at WCAG 2.1 A/AA, visible focus, touch targets, reflow) plus
// small helpers that seed state through the public HTTP API.
//
// Without chromium the suites skip with a printed reason, unless CI=true:
// then they fail.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export const REPO = resolve(here, '..', '..');
export const SCREENSHOTS = join(REPO, 'target', 'screenshots');
export const CI = process.env.CI === 'true';

// ---- languages ---------------------------------------------------------
// Every page runs in both languages: Italian as an Italian browser gets it
// (Accept-Language: it-IT, no query), English chosen with `?lang=en`, which
// the `attesta_lang` cookie then remembers for the pages that follow.
export const LANGS = [{ code: 'it', query: '' }, { code: 'en', query: 'lang=en' }];

/** `path` with the language's query parameter added. */
export function withLang(path, lang) {
  if (!lang.query) return path;
  return path + (path.includes('?') ? '&' : '?') + lang.query;
}

// ---- chromium ----------------------------------------------------------

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why the suite cannot run here, or null. Under CI=true, a reason fails. */
export function skipReason() {
  if (!existsSync(CHROMIUM)) {
    return `chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  }
  return null;
}

/** `t.skip` with the reason printed, or a failure under CI=true. */
let skipPrinted = false;
export function skipOrFail(t, reason) {
  if (CI) throw new Error(`${reason} (CI=true: browser tests must run)`);
  if (!skipPrinted) console.log(`# skipped: ${reason}`);
  skipPrinted = true;
  t.skip(reason);
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  // playwright-core gives every launch a fresh temporary profile (its own
  // --user-data-dir, removed on close); it refuses one passed in `args`.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// ---- the server --------------------------------------------------------

function binaryPath() {
  if (process.env.ATTESTA_BIN) return process.env.ATTESTA_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR
    ? resolve(REPO, process.env.CARGO_TARGET_DIR)
    : join(REPO, 'target');
  return join(targetDir, 'debug', 'attesta');
}

/** Builds `attesta` when its binary is missing (CI builds it first). */
function ensureBinary() {
  const bin = binaryPath();
  if (existsSync(bin)) return bin;
  console.log(`# building ${bin} (cargo build -p attesta)`);
  const r = spawnSync('cargo', ['build', '-p', 'attesta'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(bin)) throw new Error('cargo build -p attesta failed');
  return bin;
}

export const ADMIN_KEY = 'web-tests-admin-key-0123456789abcdef';

/** A TCP port free right now on 127.0.0.1. */
export async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * `attesta serve --demo` in a fresh data directory. Resolves once it prints
 * "attesta is listening on http://ADDR". `env`: extra ATTESTA_* settings;
 * `port`: a fixed port (when the URL must be known before the start, e.g. to
 * register it with an identity provider), else any free one.
 */
export async function startServer({ env: extra = {}, port = 0 } = {}) {
  const bin = ensureBinary();
  const dataDir = mkdtempSync(join(tmpdir(), 'attesta-web-tests-'));
  const env = { ...process.env, ATTESTA_ADMIN_API_KEY: ADMIN_KEY, ATTESTA_LOG: 'warn' };
  for (const k of Object.keys(env)) {
    // Settings of the developer's own instance would leak in (and unknown
    // ATTESTA_* variables are errors).
    if (k.startsWith('ATTESTA_') && k !== 'ATTESTA_ADMIN_API_KEY' && k !== 'ATTESTA_LOG') delete env[k];
  }
  delete env.DATABASE_URL;
  Object.assign(env, extra);
  const child = spawn(
    bin,
    ['serve', '--demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`],
    { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const base = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`attesta did not start in 30 s\n${out}\n${stderr}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/attesta is listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`attesta exited with ${code} before listening\n${out}\n${stderr}`));
    });
  });
  child.stdout.resume();
  // Never outlive the test process, even when it dies before `stop()`.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  return {
    base,
    async stop() {
      process.off('exit', orphanGuard);
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---- demo people and API seeding ----------------------------------------

/** The demo people as listed on /demo: {fiscalCode, role, name}. */
export async function demoPeople(base) {
  const html = await (await fetch(`${base}/demo`)).text();
  const people = [];
  for (const form of html.split('<form').slice(1)) {
    const value = (n) => form.match(new RegExp(`name="${n}" value="([^"]*)"`))?.[1];
    people.push({ fiscalCode: value('fiscal_code'), role: value('role'), name: value('name') });
  }
  return people;
}

/** The full codice fiscale of the demo person whose code starts with `first15`. */
export function cf(people, first15) {
  const p = people.find((x) => x.fiscalCode?.startsWith(first15));
  if (!p) throw new Error(`no demo person ${first15}`);
  return p.fiscalCode;
}

/**
 * The JSON API as the browser context's user: cookies set by demo login are
 * shared with the context's pages; changes carry a same-origin Origin.
 */
export function api(context, base) {
  const call = async (method, path, data) => {
    const r = await context.request.fetch(`${base}/api/v1${path}`, {
      method,
      headers: { origin: base },
      ...(data === undefined ? {} : { data }),
    });
    if (r.status() >= 400) throw new Error(`${method} ${path}: ${r.status()} ${await r.text()}`);
    return r.status() === 204 ? null : r.json();
  };
  return {
    loginCitizen: (fiscalCode) => call('POST', '/demo/login', { fiscal_code: fiscalCode, role: 'citizen' }),
    loginOperator: (p) => call('POST', '/demo/login', {
      fiscal_code: p.fiscalCode, role: 'operator', name: p.name, organisation: 'Museo di prova',
    }),
    acceptPrivacy: () => call('POST', '/me/privacy-notice'),
    /** A fresh attestation: {url, short_code}. */
    generate: () => call('POST', '/me/attestation'),
    revoke: () => call('DELETE', '/me/attestation'),
    addDelegate: (fiscalCode) => call('POST', '/me/delegates', { fiscal_code: fiscalCode }),
    actFor: (fiscalCode) => call('POST', '/me/acting-for', { fiscal_code: fiscalCode }),
    outbox: () => call('GET', '/demo/outbox'),
    logout: () => context.clearCookies(),
  };
}

/** The path of an attestation URL (`HTTP://HOST/V/TOKEN` → `/v/TOKEN`). */
export function verifyPath(url) {
  return '/v/' + url.split('/').pop();
}

/** The newest 6-digit code sent to `mobile` (or to anyone) in the demo outbox. */
export async function latestOtp(base) {
  const box = await (await fetch(`${base}/api/v1/demo/outbox`)).json();
  const sms = box.find((m) => m.channel === 'sms' && /\b\d{6}\b/.test(m.body));
  if (!sms) throw new Error(`no code in the outbox: ${JSON.stringify(box)}`);
  return sms.body.match(/\b(\d{6})\b/)[1];
}

// ---- checks ------------------------------------------------------------

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axe-core on the current page; resolves to a readable list of violations. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: the pages' CSP (no inline
  // scripts) stays on, as users get it.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  return result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n` +
    v.nodes.map((n) => `  - ${n.target.join(' ')}\n    ${n.failureSummary.replace(/\n/g, '\n    ')}`).join('\n'));
}

/** Horizontal overflow of the page at the current viewport, in CSS px (0 = none). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const over = Math.max(doc.scrollWidth, document.body.scrollWidth) - doc.clientWidth;
    if (over <= 1) return { over: 0, culprits: [] };
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 1)
      .filter((e) => !e.closest('.sr-only, .skip'))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).split(' ').join('.') : ''} (right ${Math.round(e.getBoundingClientRect().right)})`);
    return { over, culprits };
  });
}

function luminance([r, g, b]) {
  const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** WCAG contrast ratio of two [r, g, b] colours. */
export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/**
 * Tabs through the whole page. For every element that takes focus it
 * records whether focus is visible: an outline or box-shadow of at least
 * 2px whose colour has 3:1 contrast with the background around the element
 * — and where the element sits. Returns the problems found.
 */
export async function focusProblems(page, { maxTabs = 60 } = {}) {
  await page.evaluate(() => { window.scrollTo(0, 0); document.activeElement?.blur(); });
  // Start from the top of the document, as a keyboard user arriving.
  await page.evaluate(() => { document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex'); });
  const problems = [];
  const seen = new Set();
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const parse = (c) => (c.match(/[\d.]+/g) || []).slice(0, 4).map(Number);
      const bgBehind = (node) => {
        for (let n = node; n; n = n.parentElement) {
          const c = parse(getComputedStyle(n).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const s = getComputedStyle(el);
      const rings = [];
      if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) rings.push(parse(s.outlineColor).slice(0, 3));
      for (const m of s.boxShadow.matchAll(/rgba?\(([^)]*)\)[^,]*?(\d+(?:\.\d+)?)px(?:,|$)/g)) {
        // "rgb(r, g, b) 0px 0px 0px Npx": the last length is the spread.
        if (parseFloat(m[2]) >= 2) rings.push(parse(m[1]).slice(0, 3));
      }
      const r = el.getBoundingClientRect();
      const label = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${(el.innerText || el.value || el.name || '').trim().slice(0, 40)}"`;
      return {
        key: label + Math.round(r.top) + Math.round(r.left),
        label,
        rings,
        // The ring sits around the element, over its parent's background.
        around: bgBehind(el.parentElement),
        visible: r.width > 0 && r.height > 0,
      };
    });
    if (!info) continue;
    if (seen.has(info.key)) break; // wrapped around
    seen.add(info.key);
    if (!info.visible) { problems.push(`${info.label}: takes focus but is not visible`); continue; }
    const best = Math.max(0, ...info.rings.map((c) => contrast(c, info.around)));
    if (info.rings.length === 0) problems.push(`${info.label}: no visible focus indicator`);
    else if (best < 3) problems.push(`${info.label}: focus indicator contrast ${best.toFixed(2)}:1 < 3:1 against rgb(${info.around})`);
  }
  return problems;
}

/**
 * Controls smaller than 44 × 44 CSS px: buttons, form fields, button-like
 * links, and links that stand alone on their line (links inside a sentence
 * are exempt, as in WCAG 2.5.5/2.5.8); a checkbox counts with its label.
 */
export async function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    const els = document.querySelectorAll('button, input:not([type="hidden"]), select, textarea, a[href], summary');
    for (const el of els) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest('.sr-only')) continue;
      if (el.tagName === 'A' && !el.matches('.btn, .skip, .brand')) {
        const parentText = el.parentElement.innerText.replace(/\s+/g, ' ').trim();
        const ownText = el.innerText.replace(/\s+/g, ' ').trim();
        if (parentText !== ownText) continue; // inline, in a sentence
      }
      if (el.matches('.skip') && r.right < 0) continue; // off screen until focused
      if (el.matches('input[type="checkbox"], input[type="radio"]')) {
        // The label takes the click too: box and label together are the
        // target, the box itself at least 24 px (WCAG 2.5.8).
        const boxes = [r, ...[...el.labels].map((l) => l.getBoundingClientRect())];
        const h = Math.max(...boxes.map((b) => b.height));
        const w = boxes.reduce((sum, b) => sum + b.width, 0);
        if (r.height < 23.5 || r.width < 23.5 || h < 43.5 || w < 43.5) {
          out.push(`${el.type} #${el.id}: box ${Math.round(r.width)}×${Math.round(r.height)} px, with its label ${Math.round(w)}×${Math.round(h)} px`);
        }
        continue;
      }
      if (r.height < 44 - 0.5 || r.width < 44 - 0.5) {
        out.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name).trim().slice(0, 40)}": ${Math.round(r.width)}×${Math.round(r.height)} px`);
      }
    }
    return out;
  });
}

// ---- page weight ----------------------------------------------------------

/**
 * Records, through the DevTools protocol, every response the page's
 * context receives: its URL, whether it is a page (document) and the bytes
 * it took on the wire (`encodedDataLength`: headers and body as
 * transferred; 0 for what came from the cache). Call before the page
 * loads anything.
 */
export async function weighing(page) {
  const cdp = await page.context().newCDPSession(page);
  const requests = new Map(); // requestId → {url, document, bytes, done}
  const order = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    // A redirect reuses the requestId: the redirect's bytes count too.
    const prev = requests.get(e.requestId);
    const r = { url: e.request.url, document: e.type === 'Document', bytes: prev?.bytes ?? 0, done: false };
    if (e.redirectResponse) r.bytes += e.redirectResponse.encodedDataLength ?? 0;
    requests.set(e.requestId, r);
    order.push(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) { r.bytes += e.encodedDataLength; r.done = true; }
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.done = true;
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.cached = true;
  });
  await cdp.send('Network.enable');

  /** Waits until the page, its fonts and every request it made are done. */
  async function settle() {
    await page.waitForLoadState('load');
    await page.evaluate(() => document.fonts.ready.then(() => true));
    for (let i = 0; i < 40 && [...requests.values()].some((r) => !r.done); i++) {
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }

  /** The requests of the last page loaded: its document and what followed it. */
  function lastPage() {
    const ids = [...new Set(order)];
    let start = -1;
    ids.forEach((id, i) => { if (requests.get(id).document) start = i; });
    return start < 0 ? [] : ids.slice(start).map((id) => requests.get(id));
  }

  return {
    /**
     * The last page loaded: `transferred`, the bytes it took on the wire
     * now; `uncached`, what it takes with an empty cache (each resource at
     * the size it had when this context fetched it over the network).
     */
    async measure() {
      await settle();
      const wire = new Map();
      for (const r of requests.values()) wire.set(r.url, Math.max(wire.get(r.url) ?? 0, r.bytes));
      const last = lastPage();
      const transferred = last.reduce((sum, r) => sum + r.bytes, 0);
      // What the page uses, by the page's own account too: a resource
      // reused from the memory cache may leave no trace in the protocol.
      const used = new Set(last.filter((r) => !r.document).map((r) => r.url));
      for (const url of await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))) {
        used.add(url);
      }
      const doc = last.find((r) => r.document);
      const uncached = (doc?.bytes ?? 0) + [...used].reduce((sum, url) => sum + (wire.get(url) ?? 0), 0);
      const urls = [doc, ...[...used].map((url) => ({ url, bytes: wire.get(url) ?? 0 }))]
        .filter(Boolean).map((r) => `${new URL(r.url).pathname} ${r.bytes} B`);
      return { uncached, transferred, urls };
    },
    detach: () => cdp.detach().catch(() => {}),
  };
}

/** Bytes as kilobytes (1000 bytes) with one decimal. */
export function kb(bytes) {
  return (bytes / 1000).toFixed(1);
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}
