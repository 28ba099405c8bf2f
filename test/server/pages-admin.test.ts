/**
 * API.md "Pages", `/admin`: the role guard and every action of the admin console over HTTP, on
 * memory stores with a manual clock. Browser behaviour (labels, axe) is in test/browser/admin.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD, postForm, testServer, tokenLogin } from '../helpers/server.js';
import { PageBrowser, hiddenField } from './pages-helpers.js';
import type { TestServer } from '../helpers/server.js';

const ADMIN = 'admin@example.com';

/** Signs a person up through the pages; returns their browser (signed in) and user id. */
async function person(server: TestServer, email: string) {
  const browser = new PageBrowser(server.app);
  const signup = await browser.submit('/signup', '/signup', { email, password: PASSWORD });
  assert.equal(signup.statusCode, 303, signup.body);
  const user = await server.core.accounts.findByEmail(email);
  assert.ok(user);
  return { browser, id: user.id };
}

/** A server with a signed-in admin and a signed-in ordinary user. */
async function withAdmin() {
  const server = await testServer();
  const admin = await person(server, ADMIN);
  await server.stores.users.setRole(admin.id, 'admin');
  const user = await person(server, 'ada@example.com');
  return { ...server, admin, user };
}

/** The CSRF token of an admin page. */
async function tokenOf(browser: PageBrowser, page: string): Promise<string> {
  const response = await browser.get(page);
  assert.equal(response.statusCode, 200, response.body);
  const token = hiddenField(response.body, 'csrf_token');
  assert.ok(token, `a form with the CSRF token on ${page}`);
  return token;
}

/** Posts an admin action the way its page's form does (the page's token, the site's origin). */
async function act(browser: PageBrowser, page: string, action: string, fields = {}) {
  return browser.post(action, { csrf_token: await tokenOf(browser, page), ...fields });
}

const GET_PAGES = [
  '/admin',
  '/admin/users',
  '/admin/users?q=ada',
  '/admin/clients',
  '/admin/keys',
  '/admin/audit',
  '/admin/live',
];

describe('the admin console is for admins only', () => {
  it('a signed-in user without the admin role gets a 403 page on every admin page, not a redirect', async () => {
    const { user, admin } = await withAdmin();
    for (const path of [...GET_PAGES, `/admin/users/${admin.id}`, '/admin/clients/tessera']) {
      const response = await user.browser.get(path);
      assert.equal(response.statusCode, 403, path);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(response.body, /admin_required/);
      assert.equal(response.headers.location, undefined);
    }
  });

  it('a non-admin posting an admin action gets 403 and changes nothing', async () => {
    const { user, admin, core } = await withAdmin();
    // Even with their own valid CSRF token and the right origin.
    const token = hiddenField((await user.browser.get('/account')).body, 'csrf_token');
    assert.ok(token);
    const response = await user.browser.post(`/admin/users/${admin.id}/disable`, {
      csrf_token: token,
    });
    assert.equal(response.statusCode, 403);
    assert.equal((await core.accounts.find(admin.id))?.disabledAt, null);
  });

  it('without a session every admin page sends the browser to sign in, and back afterwards', async () => {
    const { app } = await withAdmin();
    const anonymous = new PageBrowser(app);
    for (const path of GET_PAGES) {
      const response = await anonymous.get(path);
      assert.equal(response.statusCode, 303, path);
      assert.equal(
        response.headers.location,
        `/login?${new URLSearchParams({ return_to: path }).toString()}`,
      );
    }
    const signIn = await anonymous.submit('/login?return_to=%2Fadmin%2Faudit', '/login', {
      email: ADMIN,
      password: PASSWORD,
    });
    assert.equal(signIn.headers.location, '/admin/audit');
    assert.equal((await anonymous.get('/admin/audit')).statusCode, 200);
  });

  it('an admin sees the pages, with the nav and the strict page headers', async () => {
    const { admin } = await withAdmin();
    for (const path of GET_PAGES.slice(1)) {
      const response = await admin.browser.get(path);
      assert.equal(response.statusCode, 200, path);
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
      for (const section of ['Users', 'Clients', 'Signing keys', 'Audit log', 'Live']) {
        assert.ok(response.body.includes(`>${section}</a>`), `${section} in the nav of ${path}`);
      }
      assert.ok(!/<script/i.test(response.body), 'no script');
    }
    assert.equal((await admin.browser.get('/admin')).headers.location, '/admin/users');
  });

  it('an admin whose role is taken away loses the console on their next request', async () => {
    const { admin, core } = await withAdmin();
    // The session has been checked (and so cached near) while the user was an admin.
    assert.equal((await admin.browser.get('/admin/users')).statusCode, 200);
    await core.accounts.setRole(admin.id, 'user');
    assert.equal((await admin.browser.get('/admin/users')).statusCode, 403);
  });

  it('an admin action without the CSRF token, or from another origin, is refused', async () => {
    const { admin, user, core } = await withAdmin();
    const page = `/admin/users/${user.id}`;
    const action = `${page}/disable`;
    const noToken = await admin.browser.post(action, {});
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /csrf/);
    const foreign = await admin.browser.post(
      action,
      { csrf_token: await tokenOf(admin.browser, page) },
      { origin: 'https://evil.example' },
    );
    assert.equal(foreign.statusCode, 403);
    assert.equal((await core.accounts.find(user.id))?.disabledAt, null, 'still enabled');
  });

  it('an admin cannot disable or delete their own account from the console', async () => {
    const { admin, core } = await withAdmin();
    const page = `/admin/users/${admin.id}`;
    assert.doesNotMatch((await admin.browser.get(page)).body, />Disable</);
    const refused = await act(admin.browser, page, `${page}/disable`);
    assert.equal(refused.statusCode, 400);
    assert.equal((await core.accounts.find(admin.id))?.disabledAt, null);
  });
});

describe('users', () => {
  it('Disable refuses sign-in and revokes the session and bearer token at once; Enable lets the user back', async () => {
    const { app, admin, user, clock } = await withAdmin();
    const login = await tokenLogin(app, { email: 'ada@example.com', refresh: 'body' });
    const { access_token: bearer } = login.json() as { access_token: string };
    const me = () =>
      app.inject({
        method: 'GET',
        url: '/auth/me',
        headers: { authorization: `Bearer ${bearer}` },
      });
    assert.equal((await me()).statusCode, 200);
    clock.advance(1_000); // the admin acts a moment later

    const page = `/admin/users/${user.id}`;
    const disabled = await act(admin.browser, page, `${page}/disable`);
    assert.equal(disabled.statusCode, 303);
    assert.equal(disabled.headers.location, `${page}?done=disabled`);
    const shown = (await admin.browser.get(`${page}?done=disabled`)).body;
    assert.match(shown, /Disabled since/);
    assert.match(shown, /The user is disabled/);
    assert.match(shown, /<button type="submit">Enable<\/button>/);

    assert.equal((await me()).statusCode, 401, 'the bearer token is refused');
    assert.equal((await user.browser.get('/account')).statusCode, 303, 'the session is gone');
    const again = await new PageBrowser(app).submit('/login', '/login', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    assert.notEqual(again.statusCode, 303, 'no sign-in while disabled');

    const enabled = await act(admin.browser, page, `${page}/enable`);
    assert.equal(enabled.headers.location, `${page}?done=enabled`);
    const back = await new PageBrowser(app).submit('/login', '/login', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    assert.equal(back.statusCode, 303, back.body);
  });

  it('the users list searches by email prefix, 50 a page with a Next page cursor, and shows the total', async () => {
    const { admin, core } = await withAdmin();
    for (let index = 0; index < 55; index += 1) {
      await core.accounts.signup(
        { email: `user${String(index).padStart(2, '0')}@example.com`, password: PASSWORD },
        // Each from its own address: sign-ups are rate limited per address.
        { ip: `192.0.2.${index}` },
      );
    }
    const first = (await admin.browser.get('/admin/users?q=user')).body;
    assert.match(first, /57 users in all/);
    assert.equal(first.match(/href="\/admin\/users\/[^"]+"/g)?.length, 50);
    assert.match(first, /user00@example.com/);
    const next = /<a href="([^"]+)">Next page<\/a>/.exec(first)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next, 'a Next page link');
    const second = (await admin.browser.get(next)).body;
    assert.equal(second.match(/href="\/admin\/users\/[^"]+"/g)?.length, 5);
    assert.match(second, /user54@example.com/);
    assert.doesNotMatch(second, /Next page/);
    const one = (await admin.browser.get('/admin/users?q=ADA')).body;
    assert.equal(one.match(/href="\/admin\/users\/[^"]+"/g)?.length, 1, 'case-insensitive');
  });

  it("a user's page lists their sessions; Sign out ends one, Sign out everywhere ends all", async () => {
    const { app, admin, user } = await withAdmin();
    const second = new PageBrowser(app);
    await second.submit('/login', '/login', { email: 'ada@example.com', password: PASSWORD });
    const page = `/admin/users/${user.id}`;
    const html = (await admin.browser.get(page)).body;
    const actions = [
      ...html.matchAll(/action="(\/admin\/users\/[^"]+\/sessions\/[^"]+\/revoke)"/g),
    ];
    assert.equal(actions.length, 2);
    const one = await act(admin.browser, page, actions[0]?.[1] ?? '');
    assert.equal(one.statusCode, 303);
    const statuses = await Promise.all(
      [user.browser, second].map(async (browser) => (await browser.get('/account')).statusCode),
    );
    assert.deepEqual([...statuses].sort(), [200, 303], 'one session ended, the other lives');
    const all = await act(admin.browser, page, `${page}/sign-out-everywhere`);
    assert.equal(all.headers.location, `${page}?done=signed_out`);
    for (const browser of [user.browser, second]) {
      assert.equal((await browser.get('/account')).statusCode, 303);
    }
  });

  it("Revoke access withdraws the user's consent to an app", async () => {
    const { admin, user, core, clock } = await withAdmin();
    const { client } = await core.clients.create({
      name: 'Reports',
      scopes: ['openid'],
      audiences: [],
      redirectUris: ['https://app.example/cb'],
    });
    await core.deps.stores.consents.grant(user.id, client.id, ['openid'], clock.now());
    const page = `/admin/users/${user.id}`;
    assert.match((await admin.browser.get(page)).body, /Reports/);
    const revoked = await act(
      admin.browser,
      page,
      `${page}/consents/${encodeURIComponent(client.id)}/revoke`,
    );
    assert.equal(revoked.headers.location, `${page}?done=consent_revoked`);
    assert.deepEqual(await core.consents.list(user.id), []);
  });

  it('Delete asks first, then removes the user and their sessions', async () => {
    const { admin, user, core } = await withAdmin();
    const confirm = (await admin.browser.get(`/admin/users/${user.id}/delete`)).body;
    assert.match(confirm, /cannot be undone/);
    assert.match(confirm, /<button type="submit" class="danger">Delete<\/button>/);
    const deleted = await act(
      admin.browser,
      `/admin/users/${user.id}/delete`,
      `/admin/users/${user.id}/delete`,
    );
    assert.equal(deleted.headers.location, '/admin/users?done=deleted');
    assert.equal(await core.accounts.find(user.id), undefined);
    assert.equal((await user.browser.get('/account')).statusCode, 303);
    assert.equal((await admin.browser.get(`/admin/users/${user.id}`)).statusCode, 404);
  });
});

describe('clients', () => {
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const secretOf = (html: string) => /<code class="secret">([^<]+)<\/code>/.exec(html)?.[1];

  it('Create client shows the secret once, and it works at /oauth/token', async () => {
    const { app, admin, core } = await withAdmin();
    const created = await act(admin.browser, '/admin/clients', '/admin/clients', {
      name: 'Nightly export',
      scopes: 'reports:read',
      grants: 'client_credentials',
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers['cache-control'], 'no-store');
    const secret = secretOf(created.body);
    assert.ok(secret);
    const client = (await core.clients.list()).find((c) => c.name === 'Nightly export');
    assert.ok(client);
    assert.deepEqual(client.grants, ['client_credentials']);
    const token = await postForm(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'reports:read' },
      { authorization: basic(client.id, secret) },
    );
    assert.equal(token.statusCode, 200, token.body);
    const page = (await admin.browser.get(`/admin/clients/${client.id}`)).body;
    assert.ok(!page.includes(secret), 'never shown again');
  });

  it('Save changes redirect URIs, scopes and grants; Rotate secret replaces the secret', async () => {
    const { app, admin, core } = await withAdmin();
    const { client, secret: old } = await core.clients.create({
      name: 'Portal',
      scopes: ['openid'],
      audiences: [],
      grants: ['client_credentials'],
    });
    const page = `/admin/clients/${client.id}`;
    const form = new URLSearchParams({
      csrf_token: await tokenOf(admin.browser, page),
      name: 'Portal 2',
      scopes: 'openid profile',
      redirect_uris: 'https://portal.example/cb\r\nhttp://127.0.0.1/cb',
      post_logout_redirect_uris: '',
    });
    form.append('grants', 'authorization_code');
    form.append('grants', 'refresh_token');
    const saved = await admin.browser.post(page, form.toString());
    assert.equal(saved.headers.location, `${page}?done=client_saved`, saved.body);
    const stored = await core.clients.find(client.id);
    assert.equal(stored?.name, 'Portal 2');
    assert.deepEqual(stored?.scopes, ['openid', 'profile']);
    assert.deepEqual(stored?.redirectUris, ['https://portal.example/cb', 'http://127.0.0.1/cb']);
    assert.deepEqual(stored?.grants, ['authorization_code', 'refresh_token']);

    const rotated = await act(admin.browser, page, `${page}/rotate-secret`);
    assert.equal(rotated.statusCode, 200);
    const secret = secretOf(rotated.body);
    assert.ok(secret && secret !== old);
    assert.ok(await core.clients.authenticate(client.id, secret));
    assert.equal(await core.clients.authenticate(client.id, old), undefined, 'the old one is dead');
    void app;
  });

  it('Delete asks first, then removes the client; the built-in client cannot be deleted', async () => {
    const { admin, core } = await withAdmin();
    const { client } = await core.clients.create({ name: 'Old', scopes: [], audiences: [] });
    const confirm = `/admin/clients/${client.id}/delete`;
    assert.match((await admin.browser.get(confirm)).body, /cannot be undone/);
    const deleted = await act(admin.browser, confirm, confirm);
    assert.equal(deleted.headers.location, '/admin/clients?done=client_deleted');
    assert.equal(await core.clients.find(client.id), undefined);
    assert.equal((await admin.browser.get('/admin/clients/tessera/delete')).statusCode, 400);
  });
});

describe('keys, audit log and live view', () => {
  it('Rotate publishes a pending key', async () => {
    const { admin, core } = await withAdmin();
    const before = await core.keyRing.summaries();
    const rotated = await act(admin.browser, '/admin/keys', '/admin/keys/rotate');
    assert.equal(rotated.headers.location, '/admin/keys?done=key_rotated');
    const after = await core.keyRing.summaries();
    assert.equal(after.length, before.length + 1);
    const known = new Set(before.map((key) => key.kid));
    assert.deepEqual(
      after.filter((key) => !known.has(key.kid)).map((key) => key.state),
      ['next'],
    );
    assert.match((await admin.browser.get('/admin/keys')).body, /next<\/strong>/);
  });

  it('the audit log lists events newest first and filters by kind and user', async () => {
    const { admin, user, core } = await withAdmin();
    const page = `/admin/users/${user.id}`;
    await act(admin.browser, page, `${page}/disable`);
    await core.audit.flush();
    const all = (await admin.browser.get('/admin/audit')).body;
    assert.match(all, /user\.disabled/);
    assert.match(all, /user\.signed_up/);
    const disabled = (await admin.browser.get('/admin/audit?kind=user.disabled')).body;
    assert.match(disabled, /user\.disabled/);
    assert.doesNotMatch(disabled, /<td>user\.signed_up<\/td>/);
    const byEmail = (await admin.browser.get('/admin/audit?user=ada%40example.com')).body;
    assert.match(byEmail, /user\.disabled/);
    const events = await core.audit.list({ kinds: ['user.disabled'], limit: 1 });
    assert.equal(events[0]?.subjectId, user.id);
    assert.equal(events[0]?.actorId, admin.id, 'the admin is the actor');
    assert.equal((await admin.browser.get('/admin/audit?kind=nope')).statusCode, 400);
    assert.equal((await admin.browser.get('/admin/audit?since=yesterday')).statusCode, 400);
  });

  it('the live view counts sign-ins and failures per minute and lists the revocation feed', async () => {
    const { app, admin, user } = await withAdmin();
    await new PageBrowser(app).submit('/login', '/login', { email: ADMIN, password: 'wrong one' });
    await new PageBrowser(app).submit('/login', '/login', { email: ADMIN, password: PASSWORD });
    const page = `/admin/users/${user.id}`;
    await act(admin.browser, page, `${page}/sign-out-everywhere`);
    const live = (await admin.browser.get('/admin/live')).body;
    // Still unless asked: a page that reloads by itself must let the person stop it.
    assert.doesNotMatch(live, /http-equiv="refresh"/);
    const refreshing = (await admin.browser.get('/admin/live?refresh=5')).body;
    assert.match(refreshing, /<meta http-equiv="refresh" content="5"\/>/);
    assert.match(refreshing, /Stop refreshing/);
    assert.match(live, /<svg[^>]+role="img"/);
    assert.match(live, /1 succeeded and 1 failed/);
    assert.match(live, /every token of a user issued before/);
  });

  it("the live view counts a disabled account's sign-in as failed, and forgets minutes past half an hour", async () => {
    const { app, admin, user, clock } = await withAdmin();
    const page = `/admin/users/${user.id}`;
    await act(admin.browser, page, `${page}/disable`);
    const refused = await new PageBrowser(app).submit('/login', '/login', {
      email: 'ada@example.com',
      password: PASSWORD,
    });
    assert.equal(refused.statusCode, 403);
    assert.match((await admin.browser.get('/admin/live')).body, /0 succeeded and 1 failed/);
    // Half an hour on, in steps that keep the admin's session from its idle expiry.
    for (let step = 0; step < 4; step += 1) {
      clock.advance(8 * 60_000);
      assert.equal((await admin.browser.get('/admin/live')).statusCode, 200);
    }
    assert.match((await admin.browser.get('/admin/live')).body, /0 succeeded and 0 failed/);
  });
});
