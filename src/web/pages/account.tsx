/** `GET /account`: the signed-in user's devices, apps, password and security events. */
import { Hidden, Layout, Message } from '../layout.js';
import { AppsSection, DevicesSection, EventsSection, PasswordSection } from './account-sections.js';
import type { ConsentView } from '../../core/consents/consents.js';
import type { AuditEvent, SessionRecord } from '../../stores/ports.js';

/** What the account page shows; every form carries `csrfToken` (the session's). */
export interface AccountPageProps {
  email: string;
  /** Whether the user confirmed their email through a mailed link. */
  emailVerified: boolean;
  csrfToken: string;
  currentSessionId: string;
  sessions: readonly SessionRecord[];
  consents: readonly ConsentView[];
  /** Newest first; absent when the server keeps no audit log to read. */
  events?: readonly AuditEvent[] | undefined;
  /** The server's clock, so "5 minutes ago" agrees with the stores' times. */
  now: number;
  /** The result of the last action (after its 303 back here). */
  notice?: string | undefined;
  /** A refused password change. */
  passwordError?: string | undefined;
}

/** The account page; **Sign out** of this device at the top. */
export function AccountPage(props: AccountPageProps) {
  return (
    <Layout title="Your account">
      <Message notice={props.notice} />
      <p>
        Signed in as <strong>{props.email}</strong>.
      </p>
      {!props.emailVerified && (
        <form method="post" action="/account/verify-email">
          <p class="muted">This address is not verified yet.</p>
          <Hidden name="csrf_token" value={props.csrfToken} />
          <div class="actions">
            <button type="submit" class="secondary">
              Send verification link
            </button>
          </div>
        </form>
      )}
      <form method="post" action="/logout">
        <Hidden name="csrf_token" value={props.csrfToken} />
        <div class="actions">
          <button type="submit">Sign out</button>
        </div>
      </form>
      <DevicesSection
        sessions={props.sessions}
        currentId={props.currentSessionId}
        csrfToken={props.csrfToken}
        now={props.now}
      />
      <AppsSection consents={props.consents} csrfToken={props.csrfToken} now={props.now} />
      <PasswordSection csrfToken={props.csrfToken} error={props.passwordError} />
      {props.events && <EventsSection events={props.events} now={props.now} />}
    </Layout>
  );
}
