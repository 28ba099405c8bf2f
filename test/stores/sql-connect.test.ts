import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSqlStores } from '../../src/stores/sql/index.js';

void describe('sql store options', () => {
  void it('an unknown database url is refused without echoing it, since it may hold a password', async () => {
    await assert.rejects(createSqlStores({ url: 'mysql://root:hunter2@db/tessera' }), (error) => {
      assert.ok(error instanceof TypeError);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  void it('a sqlite url needs a path', async () => {
    await assert.rejects(createSqlStores({ url: 'sqlite:' }), TypeError);
  });

  void it('a schema is refused for sqlite rather than silently ignored', async () => {
    await assert.rejects(createSqlStores({ url: 'sqlite::memory:', schema: 'tessera' }), TypeError);
  });

  void it('a schema name that is not a plain lower-case identifier never reaches search_path', async () => {
    for (const schema of ['public,evil', 'x -c log_statement=all', 'Tessera', '1abc', '']) {
      await assert.rejects(
        createSqlStores({ url: 'postgres://postgres@127.0.0.1:1/none', schema }),
        TypeError,
        schema,
      );
    }
  });
});
