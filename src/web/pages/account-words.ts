/**
 * The account page's facts in words: a session's browser and system from its user agent, an
 * instant as a person reads it, a security event as a sentence.
 */
import UAParser from 'ua-parser-js';

/** "Chrome 131 on Linux" from a user agent; what cannot be told is left out. */
export function describeDevice(userAgent: string): string {
  const { browser, os } = new UAParser(userAgent).getResult();
  // Headless Chromium calls itself "Chrome Headless": it is Chrome to the person reading.
  const name = browser.name?.replace(/ Headless$/, '');
  const app =
    name === undefined ? 'Unknown browser' : [name, browser.major].filter(Boolean).join(' ');
  const system = [os.name, os.version].filter(Boolean).join(' ');
  return system === '' ? app : `${app} on ${system}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// The server cannot know the reader's time zone (no script runs on the page): UTC, said so.
const DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** An instant as a person reads it: relative within a day of `now`, a UTC date beyond. */
export function describeTime(at: number, now: number): string {
  const ago = now - at;
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) return plural(Math.floor(ago / MINUTE), 'minute') + ' ago';
  if (ago < DAY) return plural(Math.floor(ago / HOUR), 'hour') + ' ago';
  return `${DATE.format(at)} UTC`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

// What each kind of event means to the person whose account it concerns. Kinds a user's own
// events never have (client and key events) fall back to the kind itself.
const EVENT_WORDS: Partial<Record<string, string>> = {
  'user.signed_up': 'Account created',
  'login.succeeded': 'Signed in',
  'login.failed': 'Sign-in refused',
  'login.locked_out': 'Sign-in paused after too many attempts',
  'session.created': 'Session started',
  'session.revoked': 'Session signed out',
  'password.changed': 'Password changed',
  'password.reset_requested': 'Password reset link sent',
  'password.reset': 'Password reset through an emailed link',
  'email.verification_sent': 'Verification link sent',
  'email.verified': 'Email address verified',
  'refresh.reuse_detected': 'An app’s old sign-in was replayed; the app was signed out',
  'token.revoked': 'An app’s access was revoked',
  'consent.given': 'Access given to an app',
  'consent.revoked': 'Access taken back from an app',
  'user.disabled': 'Account disabled by an administrator',
  'user.enabled': 'Account enabled by an administrator',
  'user.role_changed': 'Account role changed',
  'user.signed_out_everywhere': 'Signed out everywhere else',
};

// Reason codes in words, for the events that carry one (a refused sign-in).
const REASON_WORDS: Partial<Record<string, string>> = {
  invalid_credentials: 'wrong password',
  account_disabled: 'account disabled',
  rate_limited: 'too many attempts',
  email_unverified: 'email not verified',
};

/** What happened, in a sentence: the kind in words, with its reason when it has one. */
export function describeEvent(kind: string, reason: string | null): string {
  const what = EVENT_WORDS[kind] ?? kind;
  if (reason === null) return what;
  return `${what} (${REASON_WORDS[reason] ?? reason.replaceAll('_', ' ')})`;
}
