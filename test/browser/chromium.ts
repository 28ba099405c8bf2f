/**
 * A real headless Chromium for browser tests: the system one from Debian's `chromium` package,
 * driven by playwright-core. Nothing is ever downloaded.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { onCI } from '../helpers/ci.js';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

/** Every wait in a browser test is bounded by this much, so a stuck page fails instead of hanging. */
export const BROWSER_TIMEOUT_MS = 10_000;

// Headless, and quiet: no first-run UI, no update or sync traffic that could slow or flake a run.
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why browser tests cannot run here, or `false` when they can. On CI a missing Chromium is not a
 * reason to skip: the suite must fail there, so CI cannot go green without testing the browser.
 */
export function chromiumSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH) || onCI) return false;
  return `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package); skipped outside CI`;
}

/** Launches Chromium, failing with an actionable message when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set TESSERA_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ARGS,
    timeout: 30_000,
  });
}
