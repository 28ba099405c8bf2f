/**
 * The toolkit's verifier takes access tokens only (RFC 9068 §4, typ at+jwt): an OpenID Connect ID
 * token from the same issuer, signed by the same key, is refused — an app cannot be fooled into
 * accepting a token meant to tell a client who signed in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier } from '../../src/verify/index.js';
import { TesseraError } from '../../src/core/errors.js';
import { flowServer, type Tokens } from '../server/code-flow.js';
import type { FastifyInstance } from 'fastify';

/** A fetch that answers from the app in process (no listening socket). */
function injectFetch(app: FastifyInstance): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const response = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers.set(name, String(value));
    }
    return new Response(response.body, { status: response.statusCode, headers });
  }) as typeof fetch;
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof TesseraError ? error.code : String(error);
  }
}

describe('the verifier toolkit and ID tokens', () => {
  it('refuses an ID token as an access token, and accepts the access token issued with it', async () => {
    const { exchange, code, publicClient, app, clock, config } = await flowServer();
    const tokens = (await exchange(publicClient, await code(publicClient))).json() as Tokens;
    const verifier = await createVerifier({
      issuer: config.issuer,
      revocations: 'off',
      fetch: injectFetch(app),
      clock,
    });
    try {
      assert.equal(await outcome(verifier.verify(tokens.id_token ?? '')), 'token_unsupported');
      assert.equal(await outcome(verifier.verify(tokens.access_token)), 'ok');
    } finally {
      await verifier.close();
    }
  });
});
