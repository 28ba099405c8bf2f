/** The signed-in landing page; Step 8 grows it into the full account page. */
import { Hidden, Layout } from '../layout.js';

/** Who is signed in, and the token their forms carry. */
export interface AccountPageProps {
  email: string;
  csrfToken: string;
}

/** `GET /account`: the user's email and **Sign out**. */
export function AccountPage(props: AccountPageProps) {
  return (
    <Layout title="Your account">
      <p>
        Signed in as <strong>{props.email}</strong>.
      </p>
      <form method="post" action="/logout">
        <Hidden name="csrf_token" value={props.csrfToken} />
        <div class="actions">
          <button type="submit">Sign out</button>
        </div>
      </form>
    </Layout>
  );
}
