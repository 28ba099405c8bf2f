/** The console's signing keys: each key's state and dates, and **Rotate** (a planned rotation). */
import { ActionButton, AdminFrame, Time } from './frame.js';
import type { AdminPageBase } from './users.js';
import type { KeySummary } from '../../../core/keys/keyring.js';

/** What a key's state means, in words. */
const STATE_WORDS: Record<KeySummary['state'], string> = {
  next: 'published, signs from its activation',
  active: 'signs new tokens',
  'verify-only': 'verifies tokens it signed until they expire',
  retired: 'out of the JWKS',
};

/** `GET /admin/keys`. */
export function KeysPage(props: AdminPageBase & { keys: KeySummary[]; rotatable: boolean }) {
  return (
    <AdminFrame title="Signing keys" section="keys" {...props}>
      <table>
        <thead>
          <tr>
            <th scope="col">Key id</th>
            <th scope="col">Algorithm</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Signs from</th>
            <th scope="col">Stopped signing</th>
            <th scope="col">Private key</th>
          </tr>
        </thead>
        <tbody>
          {[...props.keys].reverse().map((key) => (
            <tr key={key.kid}>
              <td>
                <code>{key.kid}</code>
              </td>
              <td>{key.alg}</td>
              <td>
                <strong>{key.state}</strong>: {STATE_WORDS[key.state]}
              </td>
              <td>
                <Time ms={key.createdAt} />
              </td>
              <td>
                <Time ms={key.activatesAt} />
              </td>
              <td>
                <Time ms={key.rotatedAt} />
              </td>
              <td>{key.encrypted ? 'encrypted' : 'not encrypted'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Rotate</h2>
      <p>
        A planned rotation: the new key is published in the JWKS at once and starts signing only
        once every verifier’s cached JWKS has had time to learn it; the current key then verifies
        the tokens it signed until they expire. Nothing already issued stops working. Rotating while
        a key is pending changes nothing. (A compromised key is rotated at once with{' '}
        <code>tessera keys rotate --now</code>, which revokes every token it signed.)
      </p>
      {props.rotatable ? (
        <ActionButton action="/admin/keys/rotate" csrfToken={props.csrfToken} label="Rotate" />
      ) : (
        <p class="muted">HS256 keys rotate by changing TESSERA_HS256_SECRET.</p>
      )}
    </AdminFrame>
  );
}
