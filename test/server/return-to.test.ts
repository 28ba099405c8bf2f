/** The return address after sign-in: only this server's own paths (no open redirect, RFC 9700 §4.11). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_RETURN_TO, safeReturnTo } from '../../src/server/return-to.js';

const ISSUER = 'http://issuer/';

// The pieces open-redirect payloads are made of: slashes of both kinds, encoded or not, control
// characters browsers drop, schemes, userinfo, dots.
const piece = fc.constantFrom(
  '/',
  '\\',
  '%2F',
  '%2f',
  '%5C',
  '%5c',
  '\t',
  '\n',
  '\r',
  '%09',
  '%0a',
  '%0D',
  '\u0000',
  ' ',
  'evil.example',
  'http:',
  'https:',
  'javascript:',
  ':',
  '@',
  '.',
  '..',
  '?',
  '#',
  '%',
  '%25',
  'a',
  'oauth/authorize',
);
const crafted = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));
const anyText = fc.oneof(crafted, fc.string({ unit: 'binary', maxLength: 40 }), fc.webUrl());

/** Where a browser ends up with `location` (a Location header value) on `base`. */
function landsOn(location: string, base = ISSUER): string {
  return new URL(location, base).origin;
}

describe('safeReturnTo', () => {
  it('no accepted value ever resolves to another origin, as sent or with its path decoded', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const accepted = safeReturnTo(value);
        assert.equal(landsOn(accepted), 'http://issuer');
        const path = accepted.split(/[?#]/, 1)[0] ?? '';
        assert.equal(landsOn(decodeURIComponent(path)), 'http://issuer');
        // Behind a path prefix too (a proxy that mounts Tessera under /auth/).
        assert.equal(landsOn(accepted, 'http://issuer/auth/'), 'http://issuer');
      }),
      { numRuns: 5000 },
    );
  });

  it('returns the value unchanged or the default, never a repaired value', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const accepted = safeReturnTo(value);
        assert.ok(accepted === value || accepted === DEFAULT_RETURN_TO);
      }),
    );
  });

  it("keeps this server's own paths, query strings included", () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
    const path = fc
      .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.dictionary(segment, fc.string()))
      .map(([parts, query]) => {
        const search = new URLSearchParams(query).toString();
        return `/${parts.join('/')}${search ? `?${search}` : ''}`;
      })
      .filter((value) => !value.startsWith('//'));
    fc.assert(fc.property(path, (value) => assert.equal(safeReturnTo(value), value)));
    assert.equal(
      safeReturnTo('/oauth/authorize?client_id=a&redirect_uri=https%3A%2F%2Fapp.example%2Fcb'),
      '/oauth/authorize?client_id=a&redirect_uri=https%3A%2F%2Fapp.example%2Fcb',
    );
  });

  it('refuses network-path, backslash, scheme and control-character addresses', () => {
    for (const value of [
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/%5Cevil.example',
      '/%2F%2Fevil.example',
      '%2F%2Fevil.example',
      '/\t/evil.example',
      '/%09/evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      'evil.example',
      '',
      '/%E0%A4%A',
      undefined,
      ['/a', '/b'],
    ]) {
      assert.equal(safeReturnTo(value), DEFAULT_RETURN_TO, JSON.stringify(value));
    }
  });
});
