/**
 * The rule for tests that need a service this machine may lack (PostgreSQL, Redis, their
 * binaries, Chromium): on a developer's machine they skip and say why; on CI they never skip
 * silently — a missing service fails the run, so CI cannot go green without running them.
 */
import * as assert from 'node:assert/strict';
import { it } from 'node:test';

/** True on CI: `.ci/run` runs with CI=true, as every CI service sets it. */
export const onCI = process.env.CI === 'true';

/**
 * The `skip` option of tests that need a service: `missing` says what is missing, or is false when
 * nothing is. Outside CI they skip with that reason. On CI they skip too, and a test registered
 * in their place fails with the reason.
 */
export function skipOutsideCI(missing: string | false): string | false {
  if (missing === false) return false;
  if (!onCI) return `${missing}; skipped outside CI`;
  void it(`needs what is missing: ${missing}`, () => {
    assert.fail(`${missing}: CI must run these tests, not skip them`);
  });
  return missing;
}
