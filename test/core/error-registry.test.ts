/**
 * src/core/error-registry.ts and the one mapping to HTTP in src/core/errors.ts: every code maps
 * to a well-formed problem body and a valid RFC 6749 error, and every code is one Tessera throws.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { errorCodes, errorRegistry } from '../../src/core/error-registry.js';
import { TesseraError, errorStatus, toOAuthError, toProblem } from '../../src/core/errors.js';

// RFC 6749 §4.1.2.1 and §5.2, RFC 7009 §2.2.1, RFC 8707 §2, RFC 8628 §3.5: the registered names.
// invalid_request is 400 in RFC 6749; API.md answers a refresh by cookie from a foreign origin
// with 403, and a body too large or of the wrong type keeps HTTP's 413 / 415.
const rfcOAuthErrors = new Map<string, readonly number[]>([
  ['invalid_request', [400, 403, 413, 415]],
  ['invalid_client', [401]],
  ['invalid_grant', [400]],
  ['unauthorized_client', [400]],
  ['unsupported_grant_type', [400]],
  ['invalid_scope', [400]],
  ['invalid_target', [400]],
  ['unsupported_token_type', [400]],
  ['access_denied', [403]],
  ['unsupported_response_type', [400]],
  // OpenID Connect Core §3.1.2.6: sent in a redirect, never with a status of their own.
  ['login_required', [400]],
  ['consent_required', [400]],
  ['request_not_supported', [400]],
  ['request_uri_not_supported', [400]],
  ['server_error', [500]],
  ['temporarily_unavailable', [503]],
  ['slow_down', [429]],
]);

const code = fc.constantFrom(...errorCodes);
const message = fc.string({ minLength: 1 });
const error = fc
  .tuple(code, message, fc.option(fc.string(), { nil: undefined }))
  .map(([c, m, field]) => new TesseraError(c, m, field === undefined ? {} : { field }));

describe('the error registry', () => {
  it('every code maps to a well-formed RFC 9457 problem body', () => {
    fc.assert(
      fc.property(error, (thrown) => {
        const problem = toProblem(thrown);
        assert.equal(problem.type, `urn:tessera:error:${thrown.code}`);
        assert.equal(problem.code, thrown.code);
        assert.equal(problem.status, errorRegistry[thrown.code].status);
        assert.ok(
          Number.isInteger(problem.status) && problem.status >= 400 && problem.status < 600,
        );
        assert.ok(problem.title.length > 0 && !problem.title.includes('_'), problem.title);
        assert.equal(typeof problem.detail, 'string');
        assert.equal(problem.field, thrown.details.field);
        // JSON round trip: nothing in it that JSON cannot carry.
        assert.deepEqual(JSON.parse(JSON.stringify(problem)), problem);
      }),
    );
  });

  it('every code maps to a valid RFC 6749 error name with a status that RFC allows', () => {
    fc.assert(
      fc.property(error, (thrown) => {
        const { status, body } = toOAuthError(thrown);
        assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
        assert.ok(rfcOAuthErrors.get(body.error)?.includes(status), `${body.error} ${status}`);
        // RFC 6749 §5.2: error and error_description are %x20-21 / %x23-5B / %x5D-7E at most.
        assert.match(body.error, /^[a-z_]+$/);
      }),
    );
  });

  it('a 5xx that is not 503 never shows its message, in either shape', () => {
    fc.assert(
      fc.property(error, (thrown) => {
        const hidden = thrown.status >= 500 && thrown.status !== 503;
        const problem = toProblem(thrown);
        assert.equal(problem.detail, hidden ? 'internal error' : thrown.message);
        const { status, body } = toOAuthError(thrown);
        const oauthHidden = status >= 500 && status !== 503;
        assert.equal(body.error_description, oauthHidden ? 'internal error' : thrown.message);
      }),
    );
  });

  it('errorStatus and TesseraError.status are the registry status', () => {
    for (const c of errorCodes) {
      assert.equal(errorStatus[c], errorRegistry[c].status, c);
      assert.equal(new TesseraError(c, 'x').status, errorRegistry[c].status, c);
    }
  });

  it('every code is one Tessera throws: a code only tests use is not registered', () => {
    const root = join(import.meta.dirname, '../../src');
    const registryFiles = new Set(['core/error-registry.ts', 'core/error-docs.ts']);
    const sources = (readdirSync(root, { recursive: true }) as string[])
      .filter((path) => path.endsWith('.ts') && !registryFiles.has(path.replaceAll('\\', '/')))
      .map((path) => readFileSync(join(root, path), 'utf8'));
    for (const c of errorCodes) {
      assert.ok(
        sources.some((text) => text.includes(`'${c}'`)),
        `${c} is never thrown: remove it from the registry`,
      );
    }
  });
});
