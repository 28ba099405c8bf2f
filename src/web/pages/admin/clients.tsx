/** The console's clients: the list with **Create client**, one client's edit page, its secret. */
import { Hidden } from '../../layout.js';
import { ActionButton, AdminFrame, Time } from './frame.js';
import type { AdminPageBase } from './users.js';
import type { ClientRecord } from '../../../stores/ports.js';

/** The grants a client may be given, as the registry names them. */
export interface GrantChoice {
  type: string;
  /** Which kinds of client may use it. */
  kinds: readonly string[];
}

/** A labelled one-line text field. */
function Text(props: {
  label: string;
  name: string;
  value?: string;
  hint?: string;
  required?: boolean;
}) {
  return (
    <>
      <label for={props.name}>{props.label}</label>
      {props.hint !== undefined && (
        <p class="muted" id={`${props.name}-hint`}>
          {props.hint}
        </p>
      )}
      <input
        id={props.name}
        name={props.name}
        type="text"
        value={props.value}
        required={props.required}
        aria-describedby={props.hint === undefined ? undefined : `${props.name}-hint`}
        autocomplete="off"
      />
    </>
  );
}

/** A labelled list of URIs, one a line. */
function Uris(props: { label: string; name: string; values?: string[] }) {
  return (
    <>
      <label for={props.name}>{props.label}</label>
      <p class="muted" id={`${props.name}-hint`}>
        One a line; matched exactly (a loopback URI whatever its port).
      </p>
      <textarea id={props.name} name={props.name} rows={3} aria-describedby={`${props.name}-hint`}>
        {(props.values ?? []).join('\n')}
      </textarea>
    </>
  );
}

/** A checkbox for each grant. */
function Grants(props: { grants: GrantChoice[]; checked?: string[] }) {
  return (
    <fieldset>
      <legend>Grants</legend>
      {props.grants.map((grant) => (
        <label key={grant.type}>
          <input
            type="checkbox"
            name="grants"
            value={grant.type}
            checked={props.checked?.includes(grant.type)}
          />{' '}
          {grant.type}
        </label>
      ))}
    </fieldset>
  );
}

/** The clients page. */
export interface ClientsPageProps extends AdminPageBase {
  clients: ClientRecord[];
  grants: GrantChoice[];
}

/** `GET /admin/clients`: every client, and the **Create client** form. */
export function ClientsPage(props: ClientsPageProps) {
  return (
    <AdminFrame title="Clients" section="clients" {...props}>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Client id</th>
            <th scope="col">Kind</th>
            <th scope="col">Grants</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.clients.map((client) => (
            <tr key={client.id}>
              <td>
                <a href={`/admin/clients/${encodeURIComponent(client.id)}`}>{client.name}</a>
              </td>
              <td>
                <code>{client.id}</code>
              </td>
              <td>
                {client.secretHash === null ? 'public' : 'confidential'}
                {client.firstParty && ', first-party'}
              </td>
              <td>{client.grants.join(' ')}</td>
              <td>
                <Time ms={client.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>New client</h2>
      <form method="post" action="/admin/clients">
        <Hidden name="csrf_token" value={props.csrfToken} />
        <Text label="Name" name="name" required />
        <Text
          label="Scopes"
          name="scopes"
          hint="Separated by spaces, e.g. openid profile reports:read"
        />
        <Uris label="Redirect URIs" name="redirect_uris" />
        <Uris label="Post-logout redirect URIs" name="post_logout_redirect_uris" />
        <fieldset>
          <legend>Kind</legend>
          <label>
            <input type="checkbox" name="public" value="yes" /> Public (no secret: an SPA or a
            native app)
          </label>
          <label>
            <input type="checkbox" name="first_party" value="yes" /> First-party (no consent page)
          </label>
        </fieldset>
        <Grants grants={props.grants} />
        <p class="muted">With no grant checked, the client gets the defaults for its kind.</p>
        <div class="actions">
          <button type="submit">Create client</button>
        </div>
      </form>
    </AdminFrame>
  );
}

/** One client's page. */
export interface ClientPageProps extends AdminPageBase {
  client: ClientRecord;
  grants: GrantChoice[];
  /** The built-in first-party client: it cannot be edited or deleted here. */
  builtIn: boolean;
}

/** `GET /admin/clients/:id`: edit redirect URIs, scopes and grants, rotate the secret, delete. */
export function ClientPage(props: ClientPageProps) {
  const { client } = props;
  const base = `/admin/clients/${encodeURIComponent(client.id)}`;
  return (
    <AdminFrame title={client.name} section="clients" {...props}>
      <dl>
        <dt>Client id</dt>
        <dd>
          <code>{client.id}</code>
        </dd>
        <dt>Kind</dt>
        <dd>
          {client.secretHash === null ? 'public' : 'confidential'}
          {client.firstParty && ', first-party'}
        </dd>
        <dt>Created</dt>
        <dd>
          <Time ms={client.createdAt} />
        </dd>
      </dl>
      {props.builtIn ? (
        <p class="muted">
          The built-in client of Tessera’s own apps: its scopes and audience come from the
          configuration.
        </p>
      ) : (
        <>
          <form method="post" action={base}>
            <Hidden name="csrf_token" value={props.csrfToken} />
            <Text label="Name" name="name" value={client.name} required />
            <Text
              label="Scopes"
              name="scopes"
              value={client.scopes.join(' ')}
              hint="Separated by spaces"
            />
            <Uris label="Redirect URIs" name="redirect_uris" values={client.redirectUris} />
            <Uris
              label="Post-logout redirect URIs"
              name="post_logout_redirect_uris"
              values={client.postLogoutRedirectUris}
            />
            <Grants grants={props.grants} checked={client.grants} />
            <div class="actions">
              <button type="submit">Save</button>
            </div>
          </form>
          <h2>Secret and removal</h2>
          <div class="actions">
            {client.secretHash !== null && (
              <ActionButton
                action={`${base}/rotate-secret`}
                csrfToken={props.csrfToken}
                label="Rotate secret"
                kind="secondary"
              />
            )}
            <a class="button secondary" href={`${base}/delete`}>
              Delete
            </a>
          </div>
        </>
      )}
    </AdminFrame>
  );
}

/** `POST /admin/clients` and **Rotate secret**: the client id and its secret, shown this once. */
export function ClientSecretPage(
  props: AdminPageBase & { client: ClientRecord; secret: string | undefined; rotated: boolean },
) {
  const title = props.rotated ? 'New client secret' : 'Client created';
  return (
    <AdminFrame title={title} section="clients" {...props}>
      <dl>
        <dt>Name</dt>
        <dd>{props.client.name}</dd>
        <dt>Client id</dt>
        <dd>
          <code>{props.client.id}</code>
        </dd>
      </dl>
      {props.secret === undefined ? (
        <p>A public client has no secret.</p>
      ) : (
        <>
          <p>
            <strong>Copy the secret now: it is shown only this once.</strong>{' '}
            {props.rotated && 'The previous secret no longer works.'}
          </p>
          <p>
            Client secret: <code class="secret">{props.secret}</code>
          </p>
        </>
      )}
      <p>
        <a href={`/admin/clients/${encodeURIComponent(props.client.id)}`}>Back to the client</a>
      </p>
    </AdminFrame>
  );
}

/** `GET /admin/clients/:id/delete`: the confirm step. */
export function DeleteClientPage(props: AdminPageBase & { client: ClientRecord }) {
  const base = `/admin/clients/${encodeURIComponent(props.client.id)}`;
  return (
    <AdminFrame title={`Delete ${props.client.name}?`} section="clients" {...props}>
      <p>
        The client can no longer get tokens, and every consent users gave it is removed. This cannot
        be undone.
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
