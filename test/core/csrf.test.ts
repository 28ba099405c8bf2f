// DESIGN.md: cookie-authenticated state-changing requests need an allowed Origin and the CSRF
// token. checkOrigin guards every unsafe request (login and sign-up too, against login CSRF);
// checkCsrf adds the synchronizer token for requests that carry a session cookie.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCsrf, checkOrigin, isUnsafeMethod } from '../../src/core/csrf.js';
import type { CsrfInput } from '../../src/core/csrf.js';

const allowedOrigins = ['https://app.example.com', 'https://admin.example.com'];
const sameOrigin: CsrfInput = {
  method: 'POST',
  origin: 'https://app.example.com',
  fetchSite: 'same-origin',
  allowedOrigins,
};
const TOKEN = 'q3Kx8yX1nq9yq0m6kLr3xS2b1t7uVw0zA4bC5dE6fG7';

describe('unsafe methods', () => {
  it('GET, HEAD and OPTIONS are safe in any case; everything else needs protection', () => {
    for (const method of ['GET', 'head', 'Options']) assert.equal(isUnsafeMethod(method), false);
    for (const method of ['POST', 'put', 'PATCH', 'DELETE', 'PROPFIND']) {
      assert.equal(isUnsafeMethod(method), true, method);
    }
  });
});

describe('origin allow-list', () => {
  it('an allowed Origin passes', () => {
    checkOrigin(sameOrigin);
  });

  it('an Origin not on the list is refused, however close it looks', () => {
    for (const origin of [
      'https://evil.example',
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://app.example.com.evil.example',
      'https://APP.example.com',
      'https://app.example.com/',
      'null',
      '',
    ]) {
      assert.throws(() => checkOrigin({ ...sameOrigin, origin }), { code: 'csrf' }, origin);
    }
  });

  it('a foreign Origin is refused even when Fetch Metadata says same-origin', () => {
    assert.throws(() => checkOrigin({ ...sameOrigin, origin: 'https://evil.example' }), {
      code: 'csrf',
    });
  });

  it('a safe method is never refused, whatever its Origin', () => {
    checkOrigin({ ...sameOrigin, method: 'GET', origin: 'https://evil.example' });
    checkOrigin({ ...sameOrigin, method: 'GET', origin: undefined, fetchSite: 'cross-site' });
  });
});

describe('fetch metadata', () => {
  it('without Origin, a browser that says cross-site is refused', () => {
    assert.throws(
      () => checkOrigin({ ...sameOrigin, origin: undefined, fetchSite: 'cross-site' }),
      {
        code: 'csrf',
      },
    );
  });

  it('without Origin, same-origin, same-site, none or no metadata at all pass', () => {
    for (const fetchSite of ['same-origin', 'same-site', 'none', undefined]) {
      checkOrigin({ ...sameOrigin, origin: undefined, fetchSite });
    }
  });
});

describe('CSRF token', () => {
  const request = { ...sameOrigin, token: TOKEN, expected: TOKEN };

  it('an allowed origin and the session’s token pass', () => {
    checkCsrf(request);
  });

  it('a missing, wrong, shorter or longer token is refused', () => {
    for (const token of [undefined, '', TOKEN.slice(0, -1), `${TOKEN}A`, TOKEN.toLowerCase()]) {
      assert.throws(() => checkCsrf({ ...request, token }), { code: 'csrf' }, String(token));
    }
  });

  it('a session without a token refuses every unsafe request, even an empty header', () => {
    assert.throws(() => checkCsrf({ ...request, token: '', expected: '' }), { code: 'csrf' });
    assert.throws(() => checkCsrf({ ...request, token: undefined, expected: undefined }), {
      code: 'csrf',
    });
  });

  it('the right token does not excuse a foreign origin', () => {
    assert.throws(() => checkCsrf({ ...request, origin: 'https://evil.example' }), {
      code: 'csrf',
    });
    assert.throws(() => checkCsrf({ ...request, origin: undefined, fetchSite: 'cross-site' }), {
      code: 'csrf',
    });
  });

  it('a safe method needs no token', () => {
    checkCsrf({ ...request, method: 'GET', token: undefined });
  });
});
