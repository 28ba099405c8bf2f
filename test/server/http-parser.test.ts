/**
 * Every answer goes through the one error mapping, even for requests Fastify's router or Node's
 * HTTP parser refuse before any route runs: problem+json (RFC 9457) with a stable code, or
 * RFC 6749's `{error, error_description}` under /oauth/, never Fastify's own body, never the
 * request path echoed back. Sent over raw sockets, since no HTTP client would send them.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { testServer } from '../helpers/server.js';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';

/** A parsed raw HTTP/1.1 answer, and whether the server closed the connection after it. */
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  length: number;
  closed: boolean;
}

/**
 * Writes `request` on a fresh connection and reads one answer; with `untilClose`, waits (up to
 * 1 s) for the server to close the connection too.
 */
function exchange(port: number, request: string, untilClose = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split === -1) return reject(new Error(`no complete answer: ${JSON.stringify(text)}`));
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: text.slice(split + 4),
        length: data.length,
        closed,
      });
    };
    const timer = setTimeout(done, 1000);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (!untilClose && complete(data)) done();
    });
    socket.on('end', () => {
      closed = true;
      done();
    });
    socket.on('error', () => {
      closed = true;
      done();
    });
    socket.write(request);
  });
}

/** True once `data` holds a whole answer with a Content-Length. */
function complete(data: Buffer): boolean {
  const text = data.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split))?.[1];
  return split !== -1 && length !== undefined && data.length >= split + 4 + Number(length);
}

const LONG_ID = 'a'.repeat(4000);

/** Requests Node's HTTP parser refuses, and the status each gets. */
const PARSER_CASES: { name: string; request: string; status: number; code: string }[] = [
  {
    name: 'headers over 16 KB: 431',
    request: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`,
    status: 431,
    code: 'headers_too_large',
  },
  {
    name: 'Transfer-Encoding and Content-Length both (RFC 9112 §6.3: smuggling)',
    request:
      'POST /auth/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a chunk size that is not hex',
    request:
      'POST /auth/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a NUL byte in a header value',
    request: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a method the parser does not know',
    request: 'FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
];

function assertProblem(answer: RawAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.body);
  assert.equal(answer.headers['content-type']?.split(';')[0], 'application/problem+json');
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  assert.equal(problem.status, status);
  assert.equal(problem.code, code);
  assert.equal(problem.type, `urn:tessera:error:${code}`);
  assert.equal(typeof problem.title, 'string');
  assert.equal(typeof problem.detail, 'string');
  assert.ok(answer.length < 1024, `answer of ${answer.length} bytes`);
}

describe('every answer goes through the one error mapping', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    ({ app } = await testServer());
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  after(() => app.close());

  for (const { name, request, status, code } of PARSER_CASES) {
    it(`a request the HTTP parser refuses is problem+json and closes: ${name}`, async () => {
      const answer = await exchange(port, request, true);
      assertProblem(answer, status, code);
      assert.equal(answer.headers.connection, 'close');
      assert.equal(Number(answer.headers['content-length']), Buffer.byteLength(answer.body));
      assert.ok(answer.closed, 'the connection is closed after the answer');
    });
  }

  it('a malformed percent-escape in a path parameter is 400 invalid_request', async () => {
    const answer = await exchange(port, 'DELETE /auth/sessions/%zz HTTP/1.1\r\nHost: x\r\n\r\n');
    assertProblem(answer, 400, 'invalid_request');
    assert.ok(!answer.body.includes('%zz'), 'the path is not echoed');
  });

  it('a 4,000-character path parameter is 414 and the path is not echoed back', async () => {
    const answer = await exchange(
      port,
      `DELETE /auth/sessions/${LONG_ID} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    assertProblem(answer, 414, 'uri_too_long');
    assert.ok(!answer.body.includes('aaaaaaaa'), 'the path is not echoed');
  });

  it('under /oauth/ a bad URL is answered in the RFC 6749 shape', async () => {
    const answer = await exchange(
      port,
      'POST /oauth/token/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
    );
    assert.equal(answer.status, 400);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
    assert.equal(body.error, 'invalid_request');
    assert.ok(!answer.body.includes('%zz'));
  });

  it('unknown routes and methods a route does not take are 404 problem+json', async () => {
    for (const request of [
      'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n',
      'PUT /auth/session HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
      'PROPFIND /auth/session HTTP/1.1\r\nHost: x\r\n\r\n',
      `GET /${LONG_ID} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]) {
      const answer = await exchange(port, request);
      assertProblem(answer, 404, 'not_found');
      assert.ok(!answer.body.includes('aaaaaaaa'));
    }
  });

  it('the server still answers normally after refusing a malformed request', async () => {
    await exchange(port, 'FOO / HTTP/1.1\r\n\r\n');
    const answer = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(answer.status, 200);
  });
});
