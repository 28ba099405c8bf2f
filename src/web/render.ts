/** Pages become HTML here, and only here: preact escapes every text and attribute it renders. */
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { FunctionComponent } from 'preact';

/** The full HTML document of the page `component` draws from `props`. */
export function renderPage<P extends object>(component: FunctionComponent<P>, props: P): string {
  return `<!doctype html>${renderToString(h(component, props))}`;
}
