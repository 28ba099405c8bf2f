/** The frame of every hosted page: the product's name, one stylesheet, one `<main>` with its `<h1>`. */
import { STYLESHEET_PATH } from './assets/stylesheet.js';
import type { ComponentChildren } from 'preact';

/** What a page puts in the frame. */
export interface LayoutProps {
  /** The page's `<h1>`, and the first part of its `<title>`. */
  title: string;
  children?: ComponentChildren;
}

/** The document around a page's content. */
export function Layout({ title, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Tessera`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
      </head>
      <body>
        <header>Tessera</header>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A labelled text field: the label names it for people and for tests alike. */
export function Field(props: {
  label: string;
  name: string;
  type: 'email' | 'password';
  autocomplete: string;
  value?: string | undefined;
}) {
  return (
    <>
      <label for={props.name}>{props.label}</label>
      <input
        id={props.name}
        name={props.name}
        type={props.type}
        autocomplete={props.autocomplete}
        value={props.value}
        required
      />
    </>
  );
}

/** A hidden form field. */
export function Hidden({ name, value }: { name: string; value: string }) {
  return <input type="hidden" name={name} value={value} />;
}

/** A message about the last attempt: an error in `alert`, good news in `notice`. */
export function Message({
  error,
  notice,
}: {
  error?: string | undefined;
  notice?: string | undefined;
}) {
  if (error !== undefined)
    return (
      <p class="alert" role="alert">
        {error}
      </p>
    );
  if (notice !== undefined)
    return (
      <p class="notice" role="status">
        {notice}
      </p>
    );
  return null;
}
