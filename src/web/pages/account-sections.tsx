/** The parts of the account page: devices, apps, password, security events (API.md "Pages"). */
import { describeScope } from '../scopes.js';
import { Field, Hidden, Message } from '../layout.js';
import { describeDevice, describeEvent, describeTime } from './account-words.js';
import type { ConsentView } from '../../core/consents/consents.js';
import type { AuditEvent, SessionRecord } from '../../stores/ports.js';

/** An instant in words, machine-readable in `datetime`. */
export function When({ at, now }: { at: number; now: number }) {
  return <time datetime={new Date(at).toISOString()}>{describeTime(at, now)}</time>;
}

/** The sessions of the user, this device first; **Sign out** on each other one. */
export function DevicesSection(props: {
  sessions: readonly SessionRecord[];
  currentId: string;
  csrfToken: string;
  now: number;
}) {
  const { now, csrfToken } = props;
  // This device first, then the most recently active.
  const sessions = [...props.sessions].sort(
    (a, b) =>
      Number(b.id === props.currentId) - Number(a.id === props.currentId) ||
      b.lastSeenAt - a.lastSeenAt,
  );
  const others = sessions.some((session) => session.id !== props.currentId);
  return (
    <section aria-labelledby="devices">
      <h2 id="devices">Where you are signed in</h2>
      <ul class="rows">
        {sessions.map((session) => (
          <li key={session.id}>
            <p>
              <strong>{describeDevice(session.userAgent)}</strong>
              {session.id === props.currentId && <span class="badge">This device</span>}
              <br />
              <span class="muted">
                IP {session.ip || 'unknown'} · signed in <When at={session.createdAt} now={now} /> ·
                last seen <When at={session.lastSeenAt} now={now} />
              </span>
            </p>
            {session.id !== props.currentId && (
              <form method="post" action="/account/sessions/revoke">
                <Hidden name="csrf_token" value={csrfToken} />
                <Hidden name="session_id" value={session.id} />
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {others && (
        <form method="post" action="/account/sessions/revoke-others">
          <Hidden name="csrf_token" value={csrfToken} />
          <div class="actions">
            <button type="submit" class="secondary">
              Sign out everywhere else
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The apps the user allowed, what each may do and since when; **Revoke access** on each. */
export function AppsSection(props: {
  consents: readonly ConsentView[];
  csrfToken: string;
  now: number;
}) {
  return (
    <section aria-labelledby="apps">
      <h2 id="apps">Apps you allowed</h2>
      {props.consents.length === 0 && <p class="muted">You have not allowed any app.</p>}
      <ul class="rows">
        {props.consents.map((consent) => (
          <li key={consent.clientId}>
            <p>
              <strong>{consent.clientName}</strong>
              <br />
              <span class="muted">
                allowed <When at={consent.createdAt} now={props.now} />
              </span>
            </p>
            <ul class="scopes">
              {consent.scopes.map((scope) => (
                <li key={scope}>{describeScope(scope, consent.clientName)}</li>
              ))}
            </ul>
            <form method="post" action="/account/apps/revoke">
              <Hidden name="csrf_token" value={props.csrfToken} />
              <Hidden name="client_id" value={consent.clientId} />
              <button type="submit" class="secondary">
                Revoke access
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Current password, New password, **Change password**; a refusal shows above the fields. */
export function PasswordSection(props: { csrfToken: string; error?: string | undefined }) {
  return (
    <section aria-labelledby="password">
      <h2 id="password">Change password</h2>
      <Message error={props.error} />
      <form method="post" action="/account/password">
        <Hidden name="csrf_token" value={props.csrfToken} />
        <Field
          label="Current password"
          name="current_password"
          type="password"
          autocomplete="current-password"
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autocomplete="new-password"
        />
        <p class="muted">Every other device and app is signed out when it changes.</p>
        <div class="actions">
          <button type="submit">Change password</button>
        </div>
      </form>
    </section>
  );
}

/** The user's recent security events: what, when, and from where. */
export function EventsSection(props: { events: readonly AuditEvent[]; now: number }) {
  return (
    <section aria-labelledby="events">
      <h2 id="events">Recent security events</h2>
      {props.events.length === 0 && <p class="muted">Nothing yet.</p>}
      <ul class="rows">
        {props.events.map((event) => (
          <li key={event.id}>
            <p>
              <strong>{describeEvent(event.kind, event.reason)}</strong>
              <br />
              <span class="muted">
                <When at={event.at} now={props.now} />
                {event.userAgent !== null && ` · ${describeDevice(event.userAgent)}`}
                {event.ip !== null && ` · IP ${event.ip}`}
              </span>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
