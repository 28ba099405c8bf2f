/** The account recovery pages: forgot password, reset password, verify email (API.md "Pages"). */
import { Field, Hidden, Layout, Message } from '../layout.js';

/** `GET /forgot-password`: Email, **Send reset link**. */
export function ForgotPasswordPage(props: { formToken: string; email?: string | undefined }) {
  return (
    <Layout title="Forgot your password?">
      <p>
        Enter the email address of your account and we will send you a link to choose a new
        password.
      </p>
      <form method="post" action="/forgot-password">
        <Hidden name="form_token" value={props.formToken} />
        <Field
          label="Email"
          name="email"
          type="email"
          autocomplete="username"
          value={props.email}
        />
        <div class="actions">
          <button type="submit">Send reset link</button>
        </div>
      </form>
      <footer>
        Remembered it? <a href="/login">Sign in</a>
      </footer>
    </Layout>
  );
}

/**
 * The answer to **Send reset link**: the same words whether an account has the address or not,
 * so the page tells nobody which addresses have accounts.
 */
export function ResetLinkSentPage() {
  return (
    <Layout title="Check your email">
      <p role="status">
        If an account uses that address, a link to choose a new password is on its way to it. The
        link works once, for 30 minutes.
      </p>
      <p class="muted">No mail after a few minutes? Look in your spam folder, or ask again.</p>
      <footer>
        <a href="/forgot-password">Send another link</a> · <a href="/login">Sign in</a>
      </footer>
    </Layout>
  );
}

/** `GET /reset-password?token=…`: New password, **Set new password**; the token in a hidden field. */
export function ResetPasswordPage(props: {
  token: string;
  formToken: string;
  error?: string | undefined;
}) {
  return (
    <Layout title="Choose a new password">
      <Message error={props.error} />
      <form method="post" action="/reset-password">
        <Hidden name="form_token" value={props.formToken} />
        <Hidden name="token" value={props.token} />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autocomplete="new-password"
        />
        <p class="muted">
          Use a long passphrase that you use nowhere else. Every device and app signed in to your
          account is signed out when it is set.
        </p>
        <div class="actions">
          <button type="submit">Set new password</button>
        </div>
      </form>
    </Layout>
  );
}

/** After **Set new password**: done, everyone signed out, sign in again. */
export function PasswordResetPage() {
  return (
    <Layout title="Your password is set">
      <p role="status">
        Your new password works from now on. Every device and app that was signed in to your account
        has been signed out.
      </p>
      <div class="actions">
        <a class="button" href="/login">
          Sign in
        </a>
      </div>
    </Layout>
  );
}

/** `GET /verify-email?token=…` with a good link. */
export function EmailVerifiedPage({ email }: { email: string }) {
  return (
    <Layout title="Your email address is verified">
      <p role="status">
        Thank you: <strong>{email}</strong> is confirmed as the address of your account.
      </p>
      <p>
        <a href="/account">Go to your account</a>
      </p>
    </Layout>
  );
}

/** A reset or verification link that is unknown, already used, replaced or expired (400). */
export function LinkInvalidPage({ purpose }: { purpose: 'reset' | 'verify' }) {
  return (
    <Layout title="This link does not work">
      <p role="alert">
        It was already used, it has expired, or a newer link replaced it. Links work only once, and
        only for a while.
      </p>
      {purpose === 'reset' ? (
        <p>
          <a href="/forgot-password">Ask for a new reset link</a>
        </p>
      ) : (
        <p>
          <a href="/account">Go to your account</a> to ask for a new verification link.
        </p>
      )}
    </Layout>
  );
}
