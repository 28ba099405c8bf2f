/** The frame of every admin page: both stylesheets, the console's nav, the page's message. */
import { STYLESHEET_PATH } from '../../assets/stylesheet.js';
import { Hidden, Message } from '../../layout.js';
import { ADMIN_STYLESHEET_PATH } from './stylesheet.js';
import type { ComponentChildren } from 'preact';

/** The console's sections, in the nav's order. */
export const ADMIN_SECTIONS = {
  users: { href: '/admin/users', label: 'Users' },
  clients: { href: '/admin/clients', label: 'Clients' },
  keys: { href: '/admin/keys', label: 'Signing keys' },
  audit: { href: '/admin/audit', label: 'Audit log' },
  live: { href: '/admin/live', label: 'Live' },
} as const;

/** One section of the console. */
export type AdminSection = keyof typeof ADMIN_SECTIONS;

/** What every admin page shows around its content. */
export interface AdminFrameProps {
  title: string;
  section: AdminSection;
  /** The signed-in admin's email, with a way to their own account. */
  adminEmail: string;
  notice?: string | undefined;
  error?: string | undefined;
  /** Reload every this many seconds (the live view): a meta refresh, no script. */
  refreshSeconds?: number | undefined;
  children?: ComponentChildren;
}

/** The document around an admin page. */
export function AdminFrame(props: AdminFrameProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.refreshSeconds !== undefined && (
          <meta http-equiv="refresh" content={String(props.refreshSeconds)} />
        )}
        <title>{`${props.title} · Tessera admin`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
        <link rel="stylesheet" href={ADMIN_STYLESHEET_PATH} />
      </head>
      <body class="admin">
        <header>
          Tessera admin{' '}
          <span class="muted">
            · <a href="/account">{props.adminEmail}</a>
          </span>
        </header>
        <nav aria-label="Admin">
          <ul>
            {Object.entries(ADMIN_SECTIONS).map(([key, { href, label }]) => (
              <li key={key}>
                <a href={href} aria-current={key === props.section ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main>
          <h1>{props.title}</h1>
          <Message error={props.error} notice={props.notice} />
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A form of one button that posts to `action` with the session's CSRF token. */
export function ActionButton(props: {
  action: string;
  csrfToken: string;
  label: string;
  /** Names the button for a screen reader when its text alone is ambiguous in a table. */
  ariaLabel?: string;
  kind?: 'primary' | 'secondary' | 'danger';
  fields?: Record<string, string>;
}) {
  const kind = props.kind ?? 'primary';
  return (
    <form method="post" action={props.action}>
      <Hidden name="csrf_token" value={props.csrfToken} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <Hidden key={name} name={name} value={value} />
      ))}
      <button
        type="submit"
        class={kind === 'primary' ? undefined : kind}
        aria-label={props.ariaLabel}
      >
        {props.label}
      </button>
    </form>
  );
}

/** A time as people read it in logs: UTC, to the second. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A `<time>` element for `ms`. */
export function Time({ ms }: { ms: number | null | undefined }) {
  if (ms === null || ms === undefined) return <>—</>;
  return <time dateTime={new Date(ms).toISOString()}>{formatTime(ms)}</time>;
}
