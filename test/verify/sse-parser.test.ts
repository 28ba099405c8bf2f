/** src/verify/sse-parser.ts: the event-stream format, however the network splits it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxSseLineChars, SseParser } from '../../src/verify/sse-parser.js';

const feed =
  'retry: 1000\n\n' +
  'id: 7\nevent: revocation\ndata: {"seq":7}\n\n' +
  ': a comment\n' +
  'event: heartbeat\ndata: {"lastEventId":"7"}\n\n';

describe('SSE parser', () => {
  it('dispatches events with their type, data and the last id; retry and comments are ignored', () => {
    const events = new SseParser().push(feed);
    assert.deepEqual(events, [
      { event: 'revocation', data: '{"seq":7}', id: '7' },
      // The last event id carries over to later events (WHATWG HTML §9.2.6).
      { event: 'heartbeat', data: '{"lastEventId":"7"}', id: '7' },
    ]);
  });

  it('gives the same events whatever the chunking, byte by byte included', () => {
    const bytes = new TextEncoder().encode(feed.replaceAll('\n', '\r\n'));
    for (const size of [1, 2, 3, 7, 64]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < bytes.length; i += size)
        events.push(...parser.push(bytes.slice(i, i + size)));
      assert.equal(events.length, 2, `chunks of ${size}`);
      assert.equal(events[0]?.data, '{"seq":7}');
      assert.equal(events[1]?.event, 'heartbeat');
    }
  });

  it('accepts CR, LF and CRLF line endings, a CRLF split across chunks, and a leading BOM', () => {
    const parser = new SseParser();
    const events = [
      ...parser.push('\uFEFFdata: a\r'),
      ...parser.push('\ndata: b\r\r'),
      ...parser.push('data:c\n\n'),
    ];
    assert.deepEqual(
      events.map((e) => e.data),
      ['a\nb', 'c'],
    );
  });

  it('decodes UTF-8 split inside a character', () => {
    const bytes = new TextEncoder().encode('data: é€\n\n');
    const parser = new SseParser();
    const events = [...parser.push(bytes.slice(0, 7)), ...parser.push(bytes.slice(7))];
    assert.equal(events[0]?.data, 'é€');
  });

  it('does not dispatch an event without data, and joins multi-line data with LF', () => {
    const events = new SseParser().push('event: x\n\ndata: 1\ndata\ndata: 3\n\n');
    assert.deepEqual(events, [{ event: 'message', data: '1\n\n3', id: undefined }]);
  });

  it('refuses an unterminated line longer than the bound instead of buffering it forever', () => {
    const parser = new SseParser();
    assert.throws(() => parser.push(`data: ${'x'.repeat(maxSseLineChars)}`), RangeError);
  });
});
