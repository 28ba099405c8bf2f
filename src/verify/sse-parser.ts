/**
 * A streaming parser for `text/event-stream` (WHATWG HTML §9.2.6), fed raw body chunks in
 * whatever sizes the network delivers them. Small on purpose: fields id, event, data (retry and
 * comments are read and ignored), every line ending (CRLF, LF, CR — also split across chunks),
 * and a bound on how much an unterminated line may buffer.
 */

/** One dispatched event. */
export interface SseMessage {
  /** The event type; "message" when the stream named none. */
  event: string;
  /** The data lines, joined by "\n". */
  data: string;
  /** The last event id seen on the stream so far (it carries over, as the spec says). */
  id: string | undefined;
}

/** Longest line kept while waiting for its end; a feed event is a few hundred bytes. */
export const maxSseLineChars = 64 * 1024;

/** Parses one stream; make a new one for each connection. */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private started = false;
  private event = '';
  private data: string[] = [];
  private lastId: string | undefined;

  /** Feeds bytes (or text); returns the events they completed, in order. */
  push(chunk: Uint8Array | string): SseMessage[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!this.started && this.buffer.length > 0) {
      this.started = true;
      if (this.buffer.startsWith('\uFEFF')) this.buffer = this.buffer.slice(1);
    }
    const out: SseMessage[] = [];
    let start = 0;
    for (;;) {
      const end = lineEnd(this.buffer, start);
      if (end === -1) break;
      // A CR at the very end may be the first half of a CRLF still in flight.
      if (this.buffer[end] === '\r' && end + 1 === this.buffer.length) break;
      const line = this.buffer.slice(start, end);
      start = end + (this.buffer[end] === '\r' && this.buffer[end + 1] === '\n' ? 2 : 1);
      const message = this.line(line);
      if (message !== undefined) out.push(message);
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > maxSseLineChars) {
      throw new RangeError(`an event-stream line is longer than ${maxSseLineChars} characters`);
    }
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined; // a comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const { data, event } = this;
    this.data = [];
    this.event = '';
    if (data.length === 0) return undefined;
    return { event: event === '' ? 'message' : event, data: data.join('\n'), id: this.lastId };
  }
}

function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}
