// Login through a real OpenID Connect provider (the `oidc-provider` package,
// the certified Node implementation) in chromium: attesta redirects with
// PKCE, state and nonce, the person signs in at the provider, attesta
// exchanges the code, checks the RS256 ID token against the provider's JWKS
// and opens a session. The provider's own login form stands in for SPID/CIE:
// the "login" typed there is the codice fiscale it asserts.

import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  axeViolations, cf, demoPeople, freePort, launchBrowser, skipOrFail, skipReason, startServer,
} from './lib/harness.mjs';

const GIULIA = 'BNCGLI85M52A662'; // a citizen on record
const OPERATOR = 'MRNDVD79P12L219';
const CLIENT_ID = 'attesta';
const CLIENT_SECRET = 'web-tests-oidc-client-secret';

const reason = skipReason();

/** The provider on a free port; `redirect` is attesta's callback. */
async function startProvider(redirect) {
  const { default: Provider } = await import('oidc-provider');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [redirect],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    // The account is the login typed at the provider: a codice fiscale.
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            given_name: 'Davide',
            family_name: 'Marino',
            fiscal_number: `TINIT-${id}`,
            organization: 'Museo di prova',
          };
        },
      };
    },
    claims: { openid: ['sub'], profile: ['given_name', 'family_name', 'fiscal_number', 'organization'] },
    // The profile claims in the ID token itself, as SPID/CIE providers send them.
    conformIdTokenClaims: false,
    cookies: { keys: ['web-tests-oidc-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  const server = createServer(provider.callback());
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { issuer, stop: () => new Promise((ok) => server.close(ok)) };
}

/** At the provider: sign in as `login`, then allow attesta. */
async function signInAtProvider(page, login) {
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  // Consent (the first time only): "Continue".
  if (await page.locator('button[type="submit"]').count()) {
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/interaction')), page.click('button[type="submit"]')]);
  }
}

describe('login through an OpenID Connect provider', { concurrency: false }, () => {
  let server;
  let provider;
  let browser;
  let people;

  before(async () => {
    if (reason) return;
    const port = await freePort();
    provider = await startProvider(`http://127.0.0.1:${port}/auth/callback`);
    server = await startServer({
      port,
      env: {
        ATTESTA_OIDC_ISSUER: provider.issuer,
        ATTESTA_OIDC_CLIENT_ID: CLIENT_ID,
        ATTESTA_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
    browser = await launchBrowser();
    people = await demoPeople(server.base);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await provider?.stop();
  });

  test('a citizen logs in from the home page and reaches their area', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    try {
      await page.goto(`${server.base}/`);
      const link = page.getByRole('link', { name: 'Accedi con SPID, CIE o CNS' });
      assert.equal(await link.count(), 1, 'the home page offers the login');
      // The login is a chain of redirects (attesta → the provider → its
      // sign-in page): wait for the provider's page itself, not for the
      // first navigation, and allow a loaded machine time for it.
      await link.click();
      await page.waitForURL((u) => u.origin === provider.issuer, { timeout: 60_000 });
      const at = new URL(page.url());
      assert.equal(at.origin, provider.issuer, 'the browser is at the provider');
      await signInAtProvider(page, cf(people, GIULIA));
      await page.waitForURL(`${server.base}/me`);
      assert.match(await page.locator('h1').innerText(), /La mia attestazione/);
      assert.match(await page.locator('header').innerText(), /Giulia Bianchi/, 'the name on record');
      const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
      assert.equal(me, 200);
      // The login ticket cookie is spent.
      const cookies = await context.cookies();
      assert.ok(!cookies.some((c) => c.name === 'attesta_login' && c.value), 'login ticket left behind');
      assert.ok(cookies.some((c) => c.name === 'attesta_session' && c.httpOnly));
    } finally {
      await context.close();
    }
  });

  test('an operator logs in for level 2, named with their organisation', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    try {
      await page.goto(`${server.base}/login?role=operator`);
      await signInAtProvider(page, cf(people, OPERATOR));
      await page.waitForURL(`${server.base}/v`);
      assert.match(await page.locator('header').innerText(), /Davide Marino/);
      // A citizen-only page refuses the operator.
      const r = await page.goto(`${server.base}/me`);
      assert.equal(r.status(), 403);
    } finally {
      await context.close();
    }
  });

  test('a callback without its login (replayed, or forged) is refused with a page that says what to do', async (t) => {
    if (reason) return skipOrFail(t, reason);
    const context = await browser.newContext({ locale: 'it-IT' });
    const page = await context.newPage();
    try {
      const r = await page.goto(`${server.base}/auth/callback?code=stolen&state=guess`);
      assert.equal(r.status(), 400);
      assert.match(await page.locator('main').innerText(), /Ricomincia l'accesso/);
      assert.deepEqual(await axeViolations(page), []);
      const me = await page.goto(`${server.base}/me`);
      assert.equal(me.status(), 401, 'no session was opened');
      // The person cancels at the provider: a page, no session.
      const cancelled = await page.goto(`${server.base}/auth/callback?error=access_denied&state=x`);
      assert.equal(cancelled.status(), 401);
      assert.match(await page.locator('main').innerText(), /annullato/);
    } finally {
      await context.close();
    }
  });
});
