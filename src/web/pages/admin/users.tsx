/** The console's users: search by email, one user's page, and the delete confirmation. */
import { Hidden } from '../../layout.js';
import { describeDevice } from '../account-words.js';
import { ActionButton, AdminFrame, Time } from './frame.js';
import type { AuditEvent, SessionRecord, UserRecord } from '../../../stores/ports.js';
import type { ConsentView } from '../../../core/consents/consents.js';

/** What every admin page knows. */
export interface AdminPageBase {
  adminEmail: string;
  csrfToken: string;
  notice?: string | undefined;
  error?: string | undefined;
}

/** A page of users. */
export interface UsersPageProps extends AdminPageBase {
  query: string;
  users: UserRecord[];
  total: number;
  /** The link to the next page, when there is one. */
  nextHref?: string | undefined;
  /** Whether this is a later page (a link back to the first is shown). */
  later: boolean;
}

/** Active or disabled, in words. */
function statusOf(user: UserRecord): string {
  return user.disabledAt === null ? 'Active' : 'Disabled';
}

/** `GET /admin/users`: **Search by email**, 50 a page with **Next page**, and the total. */
export function UsersPage(props: UsersPageProps) {
  return (
    <AdminFrame title="Users" section="users" {...props}>
      <form method="get" action="/admin/users" class="inline" role="search">
        <div>
          <label for="q">Search by email</label>
          <input id="q" name="q" type="search" value={props.query} autocomplete="off" />
        </div>
        <button type="submit">Search</button>
      </form>
      <p class="muted">
        {props.total === 1 ? '1 user in all.' : `${props.total.toLocaleString('en')} users in all.`}
        {props.query !== '' && ` Showing emails that start with “${props.query}”.`}
      </p>
      {props.users.length === 0 ? (
        <p>No user matches.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((user) => (
              <tr key={user.id}>
                <td>
                  <a href={`/admin/users/${encodeURIComponent(user.id)}`}>{user.email}</a>
                </td>
                <td>{user.role}</td>
                <td>{statusOf(user)}</td>
                <td>
                  <Time ms={user.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="pager">
        {props.later && (
          <a href={`/admin/users?${new URLSearchParams({ q: props.query }).toString()}`}>
            First page
          </a>
        )}
        {props.nextHref !== undefined && <a href={props.nextHref}>Next page</a>}
      </p>
    </AdminFrame>
  );
}

/** One user, everything the console shows about them. */
export interface UserPageProps extends AdminPageBase {
  user: UserRecord;
  sessions: SessionRecord[];
  consents: ConsentView[];
  events: AuditEvent[];
  /** The admin looking is this user: they cannot disable or delete themself. */
  self: boolean;
}

/** `GET /admin/users/:id`: details, sessions, apps, recent events and the actions. */
export function UserPage(props: UserPageProps) {
  const { user, csrfToken } = props;
  const base = `/admin/users/${encodeURIComponent(user.id)}`;
  return (
    <AdminFrame title={user.email} section="users" {...props}>
      <dl>
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>User id</dt>
        <dd>
          <code>{user.id}</code>
        </dd>
        <dt>Role</dt>
        <dd>{user.role}</dd>
        <dt>Created</dt>
        <dd>
          <Time ms={user.createdAt} />
        </dd>
        <dt>Status</dt>
        <dd>
          {user.disabledAt === null ? (
            'Active'
          ) : (
            <>
              Disabled since <Time ms={user.disabledAt} />
            </>
          )}
        </dd>
        <dt>Email verified</dt>
        <dd>{user.emailVerifiedAt === null ? 'No' : <Time ms={user.emailVerifiedAt} />}</dd>
      </dl>
      {!props.self && (
        <div class="actions">
          {user.disabledAt === null ? (
            <ActionButton
              action={`${base}/disable`}
              csrfToken={csrfToken}
              label="Disable"
              kind="danger"
            />
          ) : (
            <ActionButton action={`${base}/enable`} csrfToken={csrfToken} label="Enable" />
          )}
          <a class="button secondary" href={`${base}/delete`}>
            Delete
          </a>
        </div>
      )}

      <h2>Sessions</h2>
      {props.sessions.length === 0 ? (
        <p class="muted">No live session.</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">IP</th>
                <th scope="col">Created</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span class="muted">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.sessions.map((session) => (
                <tr key={session.id}>
                  <td>
                    {describeDevice(session.userAgent)}
                    <br />
                    <small class="muted">{session.userAgent}</small>
                  </td>
                  <td>{session.ip}</td>
                  <td>
                    <Time ms={session.createdAt} />
                  </td>
                  <td>
                    <Time ms={session.lastSeenAt} />
                  </td>
                  <td>
                    <ActionButton
                      action={`${base}/sessions/${encodeURIComponent(session.id)}/revoke`}
                      csrfToken={csrfToken}
                      label="Sign out"
                      kind="secondary"
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <ActionButton
        action={`${base}/sign-out-everywhere`}
        csrfToken={csrfToken}
        label="Sign out everywhere"
        kind="secondary"
      />

      <h2>Apps</h2>
      {props.consents.length === 0 ? (
        <p class="muted">No app has been allowed.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Scopes</th>
              <th scope="col">Allowed</th>
              <th scope="col">
                <span class="muted">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.consents.map((consent) => (
              <tr key={consent.clientId}>
                <td>{consent.clientName}</td>
                <td>{consent.scopes.join(' ')}</td>
                <td>
                  <Time ms={consent.createdAt} />
                </td>
                <td>
                  <ActionButton
                    action={`${base}/consents/${encodeURIComponent(consent.clientId)}/revoke`}
                    csrfToken={csrfToken}
                    label="Revoke access"
                    kind="secondary"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Recent events</h2>
      <EventTable events={props.events} subject={user.id} />
      <p>
        <a href={`/admin/audit?${new URLSearchParams({ user: user.id }).toString()}`}>
          All of this user’s events
        </a>
      </p>
    </AdminFrame>
  );
}

/**
 * Audit events as a table, newest first. On a user's page (`subject` given) the subject column
 * is left out and that user as actor reads "the user".
 */
export function EventTable({ events, subject }: { events: AuditEvent[]; subject?: string }) {
  if (events.length === 0) return <p class="muted">No event recorded.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Event</th>
          <th scope="col">Actor</th>
          {subject === undefined && <th scope="col">Subject</th>}
          <th scope="col">Reason</th>
          <th scope="col">IP</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id}>
            <td class="nowrap">
              <Time ms={event.at} />
            </td>
            <td>{event.kind}</td>
            <td>
              {event.actorId === null ? (
                'system'
              ) : event.actorId === subject || event.actorId === event.subjectId ? (
                'the user'
              ) : (
                <IdLink id={event.actorId} />
              )}
            </td>
            {subject === undefined && (
              <td>{event.subjectId === null ? '—' : <IdLink id={event.subjectId} />}</td>
            )}
            <td>{event.reason ?? ''}</td>
            <td>{event.ip ?? ''}</td>
            <td class="details">
              {Object.entries(event.details)
                .map(([name, value]) => `${name}=${value}`)
                .join(' ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * An actor or subject id linking to its page, a client's (`client_…`, `tessera`) or a user's,
 * shortened to its first characters: the link holds the whole id.
 */
function IdLink({ id }: { id: string }) {
  const client = id.startsWith('client_') || id === 'tessera';
  const short = id.length > 12 ? `${id.slice(0, 8)}…` : id;
  return (
    <a href={`/admin/${client ? 'clients' : 'users'}/${encodeURIComponent(id)}`}>
      <code>{short}</code>
    </a>
  );
}

/** `GET /admin/users/:id/delete`: what deleting removes, and the one button that does it. */
export function DeleteUserPage(props: AdminPageBase & { user: UserRecord }) {
  const base = `/admin/users/${encodeURIComponent(props.user.id)}`;
  return (
    <AdminFrame title={`Delete ${props.user.email}?`} section="users" {...props}>
      <p>
        Deleting removes the account, its sessions, refresh tokens, consents and personal data.
        Every token of the user stops working at once. Audit events stay, naming the user by id
        only. This cannot be undone.
      </p>
      <form method="post" action={`${base}/delete`}>
        <Hidden name="csrf_token" value={props.csrfToken} />
        <div class="actions">
          <button type="submit" class="danger">
            Delete
          </button>
          <a class="button secondary" href={base}>
            Cancel
          </a>
        </div>
      </form>
    </AdminFrame>
  );
}
