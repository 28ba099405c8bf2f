/** The consent page of the authorization code flow (API.md "Pages"). */
import { describeScope } from '../scopes.js';
import { Hidden, Layout } from '../layout.js';

/** What the consent page shows and sends back. */
export interface ConsentPageProps {
  clientName: string;
  scopes: readonly string[];
  /** The authorize request's parameters, form-encoded into one field (see pages-authorize.ts). */
  request: string;
  csrfToken: string;
  /** Who is signed in, so they know which account they are sharing. */
  email: string;
}

/** Names the client, lists the scopes in words; **Allow** and **Deny**. */
export function ConsentPage(props: ConsentPageProps) {
  return (
    <Layout title={`Allow ${props.clientName}?`}>
      <p>
        <strong>{props.clientName}</strong> wants to use your Tessera account{' '}
        <strong>{props.email}</strong>. It will be able to:
      </p>
      <ul class="scopes">
        {props.scopes.map((scope) => (
          <li key={scope}>{describeScope(scope, props.clientName)}</li>
        ))}
      </ul>
      <p class="muted">You can take this back at any time from your account page.</p>
      <form method="post" action="/oauth/authorize/decision">
        <Hidden name="csrf_token" value={props.csrfToken} />
        <Hidden name="request" value={props.request} />
        <div class="actions">
          <button type="submit" name="decision" value="allow">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </div>
      </form>
    </Layout>
  );
}
