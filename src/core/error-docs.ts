/**
 * docs/errors.md, rendered from the error registry: `npm run docs:errors` writes it and
 * test/docs.test.ts fails when the page and the registry disagree.
 */
import { entryOf, errorCodes, oauthErrorStatus } from './error-registry.js';

/** The whole text of docs/errors.md. */
export function errorsPage(): string {
  const rows = errorCodes.map((code) => {
    const entry = entryOf(code);
    const oauthStatus = entry.oauthStatus ?? oauthErrorStatus[entry.oauth];
    return [
      `\`${code}\``,
      String(entry.status),
      `\`${entry.oauth}\` (${oauthStatus})`,
      entry.challenge === undefined ? '' : `\`${entry.challenge}\``,
      entry.description,
      entry.where,
    ];
  });
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/core/error-registry.ts by `npm run docs:errors`; do not edit by hand (test/docs.test.ts checks it). -->',
    '',
    'Every error Tessera answers with carries one of these codes, and a `TesseraError` thrown by the',
    'toolkit (`createVerifier`, `verifier.verify`, the middleware) has it as its `code`.',
    '',
    '- `/auth/*` and the middleware answer [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)',
    '  problem details (`application/problem+json`) with the **HTTP status** below and',
    '  `{type: "urn:tessera:error:<code>", title, status, detail, code}`.',
    '- `/oauth/*` answers [RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2)',
    '  `{error, error_description}` with the **OAuth error** and the status in parentheses.',
    '- A request to a bearer-protected route that is refused carries',
    '  `WWW-Authenticate: Bearer error="…"` ([RFC 6750 §3](https://www.rfc-editor.org/rfc/rfc6750#section-3))',
    '  with the **challenge** below; every other 401 there carries `invalid_token` too. A 5xx other',
    '  than 503 never shows its message: its detail is `internal error`.',
    '',
    '| code | HTTP status | OAuth error | challenge | meaning | where it can occur |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((cells) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`),
    '',
  ].join('\n');
}
