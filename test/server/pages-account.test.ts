/**
 * API.md "Pages": `/account` and the recovery pages over HTTP. Each form needs the session's
 * (or the pre-session) CSRF token and an allowed Origin; a result shows after a 303 back; a
 * reset link's page sends no referrer, and only its own form may post `Origin: null`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config.js';
import { createCore } from '../../src/core/tessera.js';
import { buildApp } from '../../src/server/app.js';
import { policyFromConfig } from '../../src/server/policy.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { FAST_ARGON2, PASSWORD } from '../helpers/server.js';
import { PageBrowser, hiddenField } from './pages-helpers.js';
import type { MailMessage } from '../../src/core/accounts/mailer.js';

const EMAIL = 'ada@example.com';
const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ORIGIN = 'http://localhost:8080';

/** A server whose mail lands in `sent`, and a browser signed up as EMAIL. */
async function withAccount() {
  const config = loadConfig({ env: {} }, { ...FAST_ARGON2 });
  const stores = createMemoryStores();
  const clock = new ManualClock();
  const sent: MailMessage[] = [];
  const mailer = {
    send: (mail: MailMessage) => {
      sent.push(mail);
      return Promise.resolve();
    },
  };
  const core = await createCore({ stores, clock, policy: policyFromConfig(config), mailer });
  const app = await buildApp({ config, core });
  const browser = new PageBrowser(app);
  const signup = await browser.submit('/signup', '/signup', { email: EMAIL, password: PASSWORD });
  assert.equal(signup.statusCode, 303, signup.body);
  /** Another browser signed in as EMAIL. */
  const other = async (userAgent = CHROME) => {
    const second = new PageBrowser(app);
    const html = (await second.get('/login')).body;
    await second.post(
      '/login',
      { form_token: hiddenField(html, 'form_token') ?? '', email: EMAIL, password: PASSWORD },
      { 'user-agent': userAgent },
    );
    assert.ok(second.session);
    return second;
  };
  /** The token of the last `path` link mailed. */
  const lastLink = async (path: string) => {
    await core.recovery.idle();
    const match = new RegExp(`${path}\\?token=([\\w-]+)`).exec(sent.at(-1)?.text ?? '');
    assert.ok(match?.[1], `no ${path} link in ${sent.at(-1)?.text}`);
    return match[1];
  };
  return { app, core, stores, clock, browser, other, sent, lastLink };
}

describe('/account', () => {
  it('without a session it sends the browser to sign in and come back', async () => {
    const { app } = await withAccount();
    const response = await new PageBrowser(app).get('/account');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/login?return_to=%2Faccount');
  });

  it('lists each session with browser and system, IP and times; This device has no Sign out', async () => {
    const { browser, other, clock } = await withAccount();
    const second = await other();
    clock.advance(5 * 60_000);
    const page = (await browser.get('/account')).body;
    assert.match(page, /<strong>Chrome 131 on Linux<\/strong>/);
    assert.match(page, /<span class="badge">This device<\/span>/);
    assert.match(page, /signed in <time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">5 minutes ago<\/time>/);
    // One Sign out form per other session, carrying that session's id; none for this one.
    const forms = [...page.matchAll(/name="session_id" value="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(forms.length, 1);
    const secondId = (await second.get('/auth/session')).json() as { session: { id: string } };
    assert.equal(forms[0], secondId.session.id);
    assert.match(page, />Sign out everywhere else<\/button>/);
    assert.match(page, /<h2 id="events">Recent security events<\/h2>/);
  });

  it('a status shown after a 303 is one of the page’s own, never text from the URL', async () => {
    const { browser } = await withAccount();
    const page = (await browser.get('/account?done=<b>hacked</b>')).body;
    assert.ok(!page.includes('hacked'));
    const known = (await browser.get('/account?done=others_signed_out')).body;
    assert.match(known, /role="status">Every other device is signed out\.<\/p>/);
  });

  it('Sign out on another device ends it: its next request is refused', async () => {
    const { browser, other } = await withAccount();
    const second = await other();
    const id = /name="session_id" value="([^"]+)"/.exec((await browser.get('/account')).body)?.[1];
    const response = await browser.submit('/account', '/account/sessions/revoke', {
      session_id: id ?? '',
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/account?done=device_signed_out');
    assert.equal((await second.get('/account')).statusCode, 303);
    assert.equal((await browser.get('/account')).statusCode, 200);
  });

  it('Sign out everywhere else ends the other sessions and the user’s tokens, not this one', async () => {
    const { app, browser, other, clock } = await withAccount();
    const second = await other();
    const token = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { email: EMAIL, password: PASSWORD },
    });
    const bearer = {
      authorization: `Bearer ${(token.json() as { access_token: string }).access_token}`,
    };
    assert.equal((await app.inject({ url: '/auth/me', headers: bearer })).statusCode, 200);
    clock.advance(1000); // the token was issued before, not in the same instant as, the cutoff
    const response = await browser.submit('/account', '/account/sessions/revoke-others', {});
    assert.equal(response.headers.location, '/account?done=others_signed_out');
    assert.equal((await second.get('/account')).statusCode, 303);
    assert.equal((await app.inject({ url: '/auth/me', headers: bearer })).statusCode, 401);
    assert.equal((await browser.get('/account')).statusCode, 200);
  });

  it('Change password refuses a wrong current password (401) and changes nothing', async () => {
    const { browser, other } = await withAccount();
    const second = await other();
    const refused = await browser.submit('/account', '/account/password', {
      current_password: 'not it',
      new_password: 'a brand new passphrase',
    });
    assert.equal(refused.statusCode, 401);
    assert.match(refused.body, /role="alert">The current password is wrong\.<\/p>/);
    assert.equal((await second.get('/account')).statusCode, 200);
  });

  it('Change password moves this browser to a new session id and ends every other one', async () => {
    const { browser, other } = await withAccount();
    const second = await other();
    const before = browser.session;
    const changed = await browser.submit('/account', '/account/password', {
      current_password: PASSWORD,
      new_password: 'a brand new passphrase',
    });
    assert.equal(changed.statusCode, 303);
    assert.equal(changed.headers.location, '/account?done=password_changed');
    assert.ok(browser.session && browser.session !== before);
    assert.equal((await browser.get('/account')).statusCode, 200);
    assert.equal((await second.get('/account')).statusCode, 303);
  });

  it('every account form needs the session’s CSRF token and an allowed Origin', async () => {
    const { browser, other } = await withAccount();
    const second = await other();
    const page = (await browser.get('/account')).body;
    const csrf = hiddenField(page, 'csrf_token') ?? '';
    const id = /name="session_id" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const forms: [string, Record<string, string>][] = [
      ['/account/sessions/revoke', { session_id: id }],
      ['/account/sessions/revoke-others', {}],
      ['/account/apps/revoke', { client_id: 'tessera' }],
      ['/account/password', { current_password: PASSWORD, new_password: 'attacker passphrase' }],
      ['/account/verify-email', {}],
    ];
    for (const [action, fields] of forms) {
      const noToken = await browser.post(action, fields);
      assert.equal(noToken.statusCode, 403, `${action} without the token`);
      const foreign = await browser.post(
        action,
        { ...fields, csrf_token: csrf },
        { origin: 'https://evil.example' },
      );
      assert.equal(foreign.statusCode, 403, `${action} from another origin`);
      const nullOrigin = await browser.post(
        action,
        { ...fields, csrf_token: csrf },
        { origin: 'null', 'sec-fetch-site': 'same-origin' },
      );
      assert.equal(nullOrigin.statusCode, 403, `${action} with Origin: null`);
    }
    assert.equal((await second.get('/account')).statusCode, 200, 'nothing was signed out');
  });
});

describe('the recovery pages', () => {
  it('the sign-in page links to Forgot password?', async () => {
    const { app } = await withAccount();
    const page = (await new PageBrowser(app).get('/login')).body;
    assert.match(page, /<a href="\/forgot-password">Forgot password\?<\/a>/);
  });

  it('Send reset link answers the same page for a known and an unknown address', async () => {
    const { app, sent, core } = await withAccount();
    await core.recovery.idle();
    const mails = sent.length;
    const known = await new PageBrowser(app).submit('/forgot-password', '/forgot-password', {
      email: EMAIL,
    });
    const unknown = await new PageBrowser(app).submit('/forgot-password', '/forgot-password', {
      email: 'nobody@example.com',
    });
    assert.equal(known.statusCode, 200);
    assert.equal(unknown.statusCode, 200);
    assert.equal(unknown.body, known.body);
    await core.recovery.idle();
    assert.equal(sent.length, mails + 1);
    assert.equal(sent.at(-1)?.to, EMAIL);
  });

  it('the reset page sends no referrer; its form may post Origin: null only from this origin', async () => {
    const { app, browser, other, lastLink } = await withAccount();
    const second = await other();
    const visitor = new PageBrowser(app);
    await visitor.submit('/forgot-password', '/forgot-password', { email: EMAIL });
    const token = await lastLink('/reset-password');
    const page = await visitor.get(`/reset-password?token=${token}`);
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(hiddenField(page.body, 'token'), token);
    const form = {
      form_token: hiddenField(page.body, 'form_token') ?? '',
      token,
      new_password: 'a brand new passphrase',
    };
    for (const headers of [
      { origin: 'null' },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { origin: 'null', 'sec-fetch-site': 'same-site' },
      { origin: 'http://localhost:9999', 'sec-fetch-site': 'same-site' },
    ]) {
      const refused = await visitor.post('/reset-password', form, headers);
      assert.equal(refused.statusCode, 403, JSON.stringify(headers));
    }
    const done = await visitor.post('/reset-password', form, {
      origin: 'null',
      'sec-fetch-site': 'same-origin',
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.match(done.body, /<h1>Your password is set<\/h1>/);
    // Every session of the user ended with the reset.
    assert.equal((await browser.get('/account')).statusCode, 303);
    assert.equal((await second.get('/account')).statusCode, 303);
    const again = await visitor.post('/reset-password', form, { origin: ORIGIN });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /<h1>This link does not work<\/h1>/);
  });

  it('a weak new password shows the form again and leaves the link usable', async () => {
    const { app, lastLink } = await withAccount();
    const visitor = new PageBrowser(app);
    await visitor.submit('/forgot-password', '/forgot-password', { email: EMAIL });
    const token = await lastLink('/reset-password');
    const weak = await visitor.submit(`/reset-password?token=${token}`, '/reset-password', {
      token,
      new_password: 'short',
    });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /role="alert"/);
    assert.equal(hiddenField(weak.body, 'token'), token);
    const good = await visitor.submit(`/reset-password?token=${token}`, '/reset-password', {
      token,
      new_password: 'a brand new passphrase',
    });
    assert.equal(good.statusCode, 200);
  });

  it('an expired reset link and a missing token show the clear page with 400', async () => {
    const { app, clock, lastLink } = await withAccount();
    const visitor = new PageBrowser(app);
    await visitor.submit('/forgot-password', '/forgot-password', { email: EMAIL });
    const token = await lastLink('/reset-password');
    clock.advance(30 * 60_000 + 1);
    const expired = await visitor.submit(`/reset-password?token=${token}`, '/reset-password', {
      token,
      new_password: 'a brand new passphrase',
    });
    assert.equal(expired.statusCode, 400);
    assert.match(expired.body, /<h1>This link does not work<\/h1>/);
    const missing = await visitor.get('/reset-password');
    assert.equal(missing.statusCode, 400);
  });

  it('Send verification link on /account mails a new link; a verified address has no button', async () => {
    const { browser, sent, lastLink, core } = await withAccount();
    await core.recovery.idle();
    const mails = sent.length;
    const page = (await browser.get('/account')).body;
    assert.match(page, />Send verification link<\/button>/);
    const response = await browser.submit('/account', '/account/verify-email', {});
    assert.equal(response.headers.location, '/account?done=verification_sent');
    const token = await lastLink('/verify-email');
    assert.equal(sent.length, mails + 1);
    await browser.get(`/verify-email?token=${token}`);
    assert.ok(!(await browser.get('/account')).body.includes('Send verification link'));
  });

  it('/verify-email verifies once, without a referrer; then the clear page with 400', async () => {
    const { app, core, lastLink } = await withAccount();
    const token = await lastLink('/verify-email');
    const visitor = new PageBrowser(app);
    const ok = await visitor.get(`/verify-email?token=${token}`);
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['referrer-policy'], 'no-referrer');
    assert.match(ok.body, /<h1>Your email address is verified<\/h1>/);
    assert.notEqual((await core.accounts.findByEmail(EMAIL))?.emailVerifiedAt, null);
    const again = await visitor.get(`/verify-email?token=${token}`);
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /<h1>This link does not work<\/h1>/);
  });
});
