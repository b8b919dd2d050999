// The card in a wallet, played end to end by an independent SD-JWT
// implementation (issue #19): `@sd-jwt/core` and `@sd-jwt/crypto-nodejs`
// from npm, not attesta's code.
//
// The wallet makes a P-256 key, takes the credential offer from the
// citizen's `/me/card/wallet` page, redeems the pre-authorized code with the
// transaction code sent by SMS (the demo outbox), gets a nonce, proves
// possession with an `openid4vci-proof+jwt` and receives the credential. The
// library then checks the issuer's signature (key from
// `/.well-known/jwt-vc-issuer`) and every disclosure's digest, and builds a
// presentation with its own Key Binding JWT that discloses only
// `document_number` and `constant_attendance_allowance`; `attesta card
// verify` accepts it as `valid`, and answers `revoked` once the back office
// has revoked the card.
//
// No browser: plain HTTP with a cookie jar. It needs only node and the
// debug binary, so it never skips.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, deflateSync } from 'node:zlib';

import { SDJwtInstance } from '@sd-jwt/core';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';

import { ADMIN_KEY, REPO, cf, demoPeople, freePort, startServer } from './lib/harness.mjs';

const GIULIA = 'BNCGLI85M52A662'; // code 09: the "A" mark; a mobile on record
const VERIFIER_AUD = 'https://verifier.example/counter';

let server;
let work;
before(async () => {
  // A fixed port: the credential issuer (the public URL) must be the
  // address the wallet reaches.
  server = await startServer({ port: await freePort() });
  work = mkdtempSync(join(tmpdir(), 'attesta-wallet-'));
});
after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** fetch with one cookie jar, as the citizen's browser. */
function browser(base) {
  const jar = new Map();
  return async (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.method && init.method !== 'GET') headers.set('origin', base);
    const r = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return r;
  };
}

/** A 300 × 400 RGB PNG (the smallest portrait photo the card takes). */
function photoPng(width = 300, height = 400) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([(x * 255) / width, (y * 255) / height, 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function json(r, what) {
  const text = await r.text();
  assert.ok(r.ok, `${what}: ${r.status} ${text}`);
  return JSON.parse(text);
}

async function admin(base, method, path) {
  return json(await fetch(`${base}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${ADMIN_KEY}` },
  }), `${method} ${path}`);
}

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const decodeJwtPart = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** `attesta card verify … --json`, as a verifier at a counter runs it. */
function cliVerify(presentation, { keys, statusList, aud, nonce }) {
  const keysFile = join(work, 'keys.json');
  const statusFile = join(work, 'status-list');
  writeFileSync(keysFile, keys);
  writeFileSync(statusFile, statusList);
  const bin = process.env.ATTESTA_BIN || join(REPO, 'target', 'debug', 'attesta');
  const r = spawnSync(bin, [
    'card', 'verify', presentation, '--keys', keysFile, '--status-list', statusFile,
    '--aud', aud, '--nonce', nonce, '--json',
  ], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 2, `attesta card verify exited ${r.status}: ${r.stderr}`);
  return { exit: r.status, verdict: JSON.parse(r.stdout) };
}

test('a wallet takes the card over OpenID4VCI; an independent SD-JWT library verifies it and presents two claims', async () => {
  const base = server.base;
  const people = await demoPeople(base);
  const citizen = browser(base);

  // The citizen has an active card: applied for with a photo, approved.
  await json(await citizen('/api/v1/demo/login', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fiscal_code: cf(people, GIULIA), role: 'citizen' }),
  }), 'demo login');
  await citizen('/api/v1/me/privacy-notice', { method: 'POST' });
  const form = new FormData();
  form.append('photo', new Blob([photoPng()], { type: 'image/png' }), 'photo.png');
  const applied = await citizen('/api/v1/me/card', { method: 'POST', body: form });
  assert.ok(applied.ok, `card application: ${applied.status} ${await applied.text()}`);
  const pending = await admin(base, 'GET', '/admin/cards?status=pending');
  assert.equal(pending.length, 1, JSON.stringify(pending));
  const { serial } = await admin(base, 'POST', `/admin/cards/${pending[0].application_id}/approve`);

  // "Add to my wallet" on /me/card: a form that POSTs, then the offer.
  const cardPage = await (await citizen('/me/card')).text();
  const csrf = cardPage.match(/action="\/me\/card\/wallet"[\s\S]*?name="csrf" value="([^"]+)"/)?.[1];
  assert.ok(csrf, 'the /me/card page has the "add to my wallet" form');
  const offerPage = await citizen('/me/card/wallet', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf }),
  });
  const offerHtml = await offerPage.text();
  assert.equal(offerPage.status, 200, offerHtml);
  const link = offerHtml.match(/href="(openid-credential-offer:\/\/[^"]+)"/)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(link, 'the page shows the offer as a link');
  const offer = JSON.parse(new URL(link).searchParams.get('credential_offer'));
  const grant = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
  assert.equal(grant.tx_code.input_mode, 'numeric');
  assert.equal(grant.tx_code.length, 6);
  assert.equal(offer.credential_issuer, base.replace(/\/$/, ''));

  // The transaction code came by SMS, and says nothing else.
  const box = await json(await fetch(`${base}/api/v1/demo/outbox`), 'outbox');
  const sms = box.filter((m) => m.channel === 'sms' && /\b\d{6}\b/.test(m.body))
    .sort((a, b) => a.sent_at.localeCompare(b.sent_at)).pop();
  const txCode = sms.body.match(/\b(\d{6})\b/)[1];
  for (const word of ['Bianchi', 'Giulia', GIULIA, '09', 'cecità', 'Cecità']) {
    assert.ok(!sms.body.replace(txCode, '').includes(word), `the SMS says ${word}: ${sms.body}`);
  }

  // The wallet: metadata, token, nonce, proof, credential.
  const issuerMeta = await json(await fetch(`${offer.credential_issuer}/.well-known/openid-credential-issuer`), 'issuer metadata');
  const asMeta = await json(await fetch(`${offer.credential_issuer}/.well-known/oauth-authorization-server`), 'AS metadata');
  const configId = offer.credential_configuration_ids[0];
  const config = issuerMeta.credential_configurations_supported[configId];
  assert.equal(config.format, 'dc+sd-jwt');

  const token = await json(await fetch(asMeta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
      'pre-authorized_code': grant['pre-authorized_code'],
      tx_code: txCode,
    }),
  }), 'token');
  const { c_nonce: cNonce } = await json(await fetch(issuerMeta.nonce_endpoint, { method: 'POST' }), 'nonce');

  const holder = await ES256.generateKeyPair();
  const holderSigner = await ES256.getSigner(holder.privateKey);
  const proofHeader = { typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: holder.publicKey };
  const proofBody = { aud: offer.credential_issuer, nonce: cNonce, iat: Math.floor(Date.now() / 1000) };
  const signingInput = `${b64url(proofHeader)}.${b64url(proofBody)}`;
  const proof = `${signingInput}.${await holderSigner(signingInput)}`;
  const issued = await json(await fetch(issuerMeta.credential_endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ credential_configuration_id: configId, proofs: { jwt: [proof] } }),
  }), 'credential');
  const credential = issued.credentials[0].credential;

  // The independent library: issuer signature (by kid, from
  // /.well-known/jwt-vc-issuer) and every disclosure's digest.
  const header = decodeJwtPart(credential.split('.')[0]);
  assert.equal(header.typ, 'dc+sd-jwt');
  assert.equal(header.alg, 'ES256');
  const issuerKeys = await json(await fetch(`${offer.credential_issuer}/.well-known/jwt-vc-issuer`), 'jwt-vc-issuer');
  assert.equal(issuerKeys.issuer, offer.credential_issuer);
  const issuerJwk = issuerKeys.jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(issuerJwk, `kid ${header.kid} is published`);
  const library = new SDJwtInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    verifier: await ES256.getVerifier(issuerJwk),
    kbSigner: holderSigner,
    kbSignAlg: 'ES256',
    kbVerifier: async (data, sig, payload) => (await ES256.getVerifier(payload.cnf.jwk))(data, sig),
  });
  const verified = await library.verify(credential);
  const claims = verified.payload;
  assert.equal(claims.iss, offer.credential_issuer);
  assert.equal(claims.vct, config.vct);
  assert.deepEqual(
    { x: claims.cnf.jwk.x, y: claims.cnf.jwk.y },
    { x: holder.publicKey.x, y: holder.publicKey.y },
  );
  assert.equal(claims.family_name, 'Bianchi');
  assert.equal(claims.birth_date, '1985-08-12');
  assert.equal(claims.constant_attendance_allowance, true);
  assert.equal(claims.document_number, serial);
  assert.ok(claims.status.status_list.uri && Number.isInteger(claims.status.status_list.idx));
  // Every personal claim is selectively disclosable.
  const disclosable = await library.presentableKeys(credential);
  for (const name of ['given_name', 'family_name', 'birth_date', 'portrait', 'document_number',
    'expiry_date', 'issuing_authority', 'issuing_country', 'constant_attendance_allowance']) {
    assert.ok(disclosable.includes(name), `${name} is selectively disclosable`);
  }
  // A changed disclosure (same salt, another family name) no longer matches
  // any digest: the library either refuses the credential or drops the claim.
  const parts = credential.split('~');
  const at = parts.findIndex((d, i) => i > 0 && d && decodeJwtPart(d)[1] === 'family_name');
  const [salt] = decodeJwtPart(parts[at]);
  parts[at] = b64url([salt, 'family_name', 'Rossi']);
  const tampered = await library.verify(parts.join('~')).then((v) => v.payload, () => null);
  assert.ok(tampered === null || tampered.family_name === undefined, JSON.stringify(tampered));

  // The presentation: two claims, a KB-JWT for this verifier and nonce.
  const nonce = generateSalt(16);
  const presentation = await library.present(
    credential,
    { document_number: true, constant_attendance_allowance: true },
    { kb: { payload: { aud: VERIFIER_AUD, nonce, iat: Math.floor(Date.now() / 1000) } } },
  );
  const presented = await library.verify(presentation, { keyBindingNonce: nonce });
  assert.equal(presented.payload.birth_date, undefined);

  // attesta's own verifier, offline, as at a counter.
  const keys = await (await fetch(`${base}/.well-known/attesta/keys.json`)).text();
  const statusPath = new URL(claims.status.status_list.uri).pathname;
  const statusList = async () => Buffer.from(await (await fetch(base + statusPath)).arrayBuffer());
  const valid = cliVerify(presentation, { keys, statusList: await statusList(), aud: VERIFIER_AUD, nonce });
  assert.equal(valid.verdict.outcome, 'valid', JSON.stringify(valid.verdict));
  assert.equal(valid.exit, 0);
  assert.deepEqual(Object.keys(valid.verdict.disclosed).sort(), ['constant_attendance_allowance', 'document_number']);
  assert.equal(valid.verdict.disclosed.document_number, claims.document_number);
  const otherNonce = cliVerify(presentation, { keys, statusList: await statusList(), aud: VERIFIER_AUD, nonce: 'another' });
  assert.equal(otherNonce.verdict.outcome, 'invalid_signature');

  // The back office revokes the card: the wallet credential goes with it.
  await admin(base, 'POST', `/admin/cards/${encodeURIComponent(claims.document_number)}/revoke`);
  const revoked = cliVerify(presentation, { keys, statusList: await statusList(), aud: VERIFIER_AUD, nonce });
  assert.equal(revoked.verdict.outcome, 'revoked', JSON.stringify(revoked.verdict));
  assert.equal(revoked.exit, 2);
});
