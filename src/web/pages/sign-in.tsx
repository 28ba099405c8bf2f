/** The hosted sign-in and sign-up pages (API.md "Pages"). */
import { Field, Hidden, Layout, Message } from '../layout.js';

/** What the sign-in and sign-up forms carry and show. */
export interface CredentialsPageProps {
  /** Where the browser goes after signing in: already checked to be this server's own path. */
  returnTo: string;
  /** The token that proves the form was served by this server (CSRF). */
  formToken: string;
  /** The app the person is signing in to, when they came from its authorize request. */
  appName?: string | undefined;
  email?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
}

/** Which app the person is on their way to, if any. */
function ContinueTo({ appName }: { appName: string | undefined }) {
  if (appName === undefined) return null;
  return (
    <p class="muted">
      to continue to <strong>{appName}</strong>
    </p>
  );
}

/** A link to `path` that keeps the return address. */
function withReturn(path: string, returnTo: string): string {
  return `${path}?${new URLSearchParams({ return_to: returnTo }).toString()}`;
}

/** `GET /login`: Email, Password, **Sign in**, and a way to sign up. */
export function SignInPage(props: CredentialsPageProps) {
  return (
    <Layout title="Sign in">
      <ContinueTo appName={props.appName} />
      <Message error={props.error} notice={props.notice} />
      <form method="post" action="/login">
        <Hidden name="form_token" value={props.formToken} />
        <Hidden name="return_to" value={props.returnTo} />
        <Field
          label="Email"
          name="email"
          type="email"
          autocomplete="username"
          value={props.email}
        />
        <Field label="Password" name="password" type="password" autocomplete="current-password" />
        <div class="actions">
          <button type="submit">Sign in</button>
        </div>
      </form>
      <p>
        <a href="/forgot-password">Forgot password?</a>
      </p>
      <footer>
        No account yet? <a href={withReturn('/signup', props.returnTo)}>Create an account</a>
      </footer>
    </Layout>
  );
}

/** `GET /signup`: Email, Password, **Create account**, and a way back to sign in. */
export function SignUpPage(props: CredentialsPageProps) {
  return (
    <Layout title="Create your account">
      <ContinueTo appName={props.appName} />
      <Message error={props.error} notice={props.notice} />
      <form method="post" action="/signup">
        <Hidden name="form_token" value={props.formToken} />
        <Hidden name="return_to" value={props.returnTo} />
        <Field
          label="Email"
          name="email"
          type="email"
          autocomplete="username"
          value={props.email}
        />
        <Field label="Password" name="password" type="password" autocomplete="new-password" />
        <p class="muted">Use a long passphrase that you use nowhere else.</p>
        <div class="actions">
          <button type="submit">Create account</button>
        </div>
      </form>
      <footer>
        Already have an account? <a href={withReturn('/login', props.returnTo)}>Sign in</a>
      </footer>
    </Layout>
  );
}
