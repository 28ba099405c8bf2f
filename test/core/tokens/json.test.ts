// Strict JSON objects (RFC 8259 §8.1, RFC 7515 §5.2, RFC 7519 §4): what the header parser relies on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseJsonObject } from '../../../src/core/tokens/json.js';

const parse = (text: string) => parseJsonObject(Buffer.from(text, 'utf8'));

describe('parseJsonObject', () => {
  test('only a JSON object is accepted', () => {
    assert.deepEqual(parse('{"a":1}'), { a: 1 });
    for (const text of [
      '[]',
      'null',
      '1',
      '"a"',
      'true',
      '',
      '{',
      '{"a":1,}',
      "{'a':1}",
      '{"a":1} x',
    ]) {
      assert.equal(parse(text), undefined, text);
    }
  });

  test('invalid UTF-8 is refused rather than repaired', () => {
    assert.equal(
      parseJsonObject(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
      undefined,
    );
    assert.equal(
      parseJsonObject(
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
      ),
      undefined,
    );
  });

  test('a repeated name is refused at any depth, however it is escaped', () => {
    for (const text of [
      '{"a":1,"a":1}',
      '{"a":1,"b":{"c":1,"c":2}}',
      '{"a":[{"x":1},{"y":1,"y":2}]}',
      '{"a":1,"\\u0061":2}',
      '{"a\\"b":1,"a\\u0022b":2}',
      '{ "a" : 1 , "a" : 2 }',
    ]) {
      assert.equal(parse(text), undefined, text);
    }
  });

  test('look-alikes are not duplicates', () => {
    for (const text of [
      '{"a":"a","b":"a"}',
      '{"a":{"a":{"a":1}}}',
      '{"a":[{"a":1},{"a":2}]}',
      '{"a\\"":1,"a":2}',
      '{"a":"\\"a\\":1"}',
      '{"A":1,"a":2}',
    ]) {
      assert.ok(parse(text), text);
    }
  });

  test('without rejectDuplicates, the last duplicate wins as in JSON.parse', () => {
    assert.deepEqual(parseJsonObject(Buffer.from('{"a":1,"a":2}'), { rejectDuplicates: false }), {
      a: 2,
    });
  });

  test('finds exactly the injected duplicate in arbitrary JSON objects', () => {
    // JSON.stringify never repeats a name, so a duplicate is there exactly when one is injected.
    const object = fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 3 }), {
      maxKeys: 6,
    });
    fc.assert(
      fc.property(object, fc.boolean(), (value, inject) => {
        const body = JSON.stringify(value);
        const name = Object.keys(value)[0];
        const duplicated = inject && name !== undefined;
        const text = duplicated ? `${body.slice(0, -1)},${JSON.stringify(name)}:0}` : body;
        assert.equal(parse(text) === undefined, duplicated, text);
      }),
      { numRuns: 2000 },
    );
  });

  test('absurd nesting is refused, not a crash', () => {
    assert.equal(parse(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), undefined);
  });
});
