/** The pages of signing out: the question asked for an unproven logout request, and the answer. */
import { Hidden, Layout } from '../layout.js';

/** What the confirm page shows and sends back. */
export interface LogoutConfirmProps {
  clientName: string | undefined;
  /** The logout request's parameters, form-encoded into one field. */
  request: string;
  csrfToken: string;
}

/** Asks before ending the session: **Sign out**, or stay signed in. */
export function LogoutConfirmPage(props: LogoutConfirmProps) {
  return (
    <Layout title="Sign out?">
      <p>
        {props.clientName === undefined
          ? 'An application asked to sign you out of Tessera.'
          : `${props.clientName} asked to sign you out of Tessera.`}
      </p>
      <form method="post" action="/oauth/logout">
        <Hidden name="csrf_token" value={props.csrfToken} />
        <Hidden name="request" value={props.request} />
        <div class="actions">
          <button type="submit">Sign out</button>
          <a class="button secondary" href="/account">
            Stay signed in
          </a>
        </div>
      </form>
    </Layout>
  );
}

/** After signing out with nowhere to go back to. */
export function SignedOutPage() {
  return (
    <Layout title="You have signed out">
      <p>Your Tessera session has ended.</p>
      <p>
        <a href="/login">Sign in again</a>
      </p>
    </Layout>
  );
}
