/** The error page: what went wrong, shown here because it could not be sent anywhere safely. */
import { Layout } from '../layout.js';

/** What the error page shows. */
export interface ErrorPageProps {
  title: string;
  message: string;
  /** The machine-readable code (an OAuth error or a Tessera error code). */
  code: string;
}

/** Explains the error and offers a way on. */
export function ErrorPage(props: ErrorPageProps) {
  return (
    <Layout title={props.title}>
      <p>{props.message}</p>
      <p class="muted">
        Error code: <code>{props.code}</code>
      </p>
      <p>
        <a href="/account">Go to your account</a>
      </p>
    </Layout>
  );
}
