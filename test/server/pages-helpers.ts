/** A browser for the hosted pages over app.inject: keeps cookies, reads forms' hidden fields. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { setCookies } from '../helpers/server.js';

/** The value of the hidden field `name` in `html` (the first one). */
export function hiddenField(html: string, name: string): string | undefined {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  return match?.[1]
    ?.replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** A same-origin page client: cookies kept, forms posted with the page's Origin. */
export class PageBrowser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: FastifyInstance,
    readonly origin = 'http://localhost:8080',
  ) {}

  /** GET `url`. */
  get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.send('GET', url, undefined, headers);
  }

  /** POSTs `form` (url-encoded) to `url` from this origin unless `headers` say otherwise. */
  post(
    url: string,
    form: Record<string, string> | string,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
    return this.send('POST', url, body, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: this.origin,
      ...headers,
    });
  }

  /** Loads `page`, then posts its form with `fields` on top of its hidden ones. */
  async submit(page: string, action: string, fields: Record<string, string>) {
    const html = (await this.get(page)).body;
    const hidden: Record<string, string> = {};
    for (const name of ['form_token', 'csrf_token', 'return_to', 'request']) {
      const value = hiddenField(html, name);
      if (value !== undefined) hidden[name] = value;
    }
    return this.post(action, { ...hidden, ...fields });
  }

  /** The session cookie's value, if the browser holds one. */
  get session(): string | undefined {
    return this.cookies.get('tessera_session');
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ) {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.app.inject({
      method,
      url,
      headers: { 'user-agent': 'page-test/1.0', ...(cookie ? { cookie } : {}), ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
    for (const set of setCookies(response)) {
      const expires = set.attributes.expires;
      // Cleared cookies expire at the epoch (the test clock is not the wall clock).
      const past = typeof expires === 'string' && Date.parse(expires) < Date.UTC(2000, 0, 1);
      const gone = set.value === '' || set.attributes['max-age'] === '0' || past;
      if (gone) this.cookies.delete(set.name);
      else this.cookies.set(set.name, set.value);
    }
    return response;
  }
}
