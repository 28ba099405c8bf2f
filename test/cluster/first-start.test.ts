/**
 * A deployment's very first start: several instances brought up together on an empty database
 * (`docker compose up --scale tessera=2`), nobody first. They must still form one service.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { killChildren } from './children.js';
import { bearerStatus, kidOf, newAccount, tokenLogin } from './http.js';
import { SharedServices, sharedServersAnswer } from './shared.js';
import { Tessera } from './tessera.js';
import { skipOutsideCI } from '../helpers/ci.js';

const available = await sharedServersAnswer();
const services = new SharedServices();
after(async () => {
  await killChildren();
  await services.remove();
});

void describe(
  'instances started together on a fresh database',
  {
    skip: skipOutsideCI(!available && 'the shared PostgreSQL or Redis does not answer'),
    timeout: 60_000,
  },
  () => {
    it(
      'each accepts the access tokens the other signs, from the start',
      { timeout: 60_000 },
      async () => {
        const env = await services.create();
        // `docker compose up --scale tessera=2` on an empty database: nobody starts first.
        const [c, d] = await Promise.all([Tessera.start('C', env), Tessera.start('D', env)]);
        const account = await newAccount(c.url);
        const fromC = (await tokenLogin(c.url, account.email, account.password)).access;
        const fromD = (await tokenLogin(d.url, account.email, account.password)).access;
        const statuses = {
          'C signs with': kidOf(fromC),
          'D signs with': kidOf(fromD),
          "D on C's token": await bearerStatus(d.url, fromC),
          "C on D's token": await bearerStatus(c.url, fromD),
        };
        console.log(`started together: ${JSON.stringify(statuses)}`);
        assert.equal(statuses["D on C's token"], 200, JSON.stringify(statuses));
        assert.equal(statuses["C on D's token"], 200, JSON.stringify(statuses));
      },
    );
  },
);
