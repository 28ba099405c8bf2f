/**
 * Redis URLs as Tessera reads them, for the server's config and stores and for verifiers alike.
 * No runtime dependency: validating configuration must not load a Redis client.
 */
/** Host and port of a sentinel or a cluster seed node. */
export interface HostPort {
  host: string;
  port: number;
}

/** Credentials from the user-info part of a URL. */
export interface Credentials {
  username?: string;
  password?: string;
}

/** Where Redis is, as the URL says. */
export type RedisTarget =
  | { mode: 'standalone'; url: string }
  | {
      mode: 'sentinel';
      sentinels: HostPort[];
      name: string;
      db: number;
      credentials: Credentials;
      sentinelCredentials: Credentials;
    }
  | { mode: 'cluster'; nodes: HostPort[]; credentials: Credentials };

// scheme://[userinfo@]host[:port][,host[:port]…][/path][?query]
const multiHostUrl =
  /^(redis\+sentinel|redis\+cluster):\/\/(?:([^@/?#]*)@)?([^/?#]+)([^?#]*)(?:\?([^#]*))?$/;
const hostPort = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/;

/** Reads a Redis URL; a bad one is refused without echoing it, since it may hold a password. */
export function parseRedisUrl(url: string): RedisTarget {
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    return { mode: 'standalone', url };
  }
  const match = multiHostUrl.exec(url);
  if (!match) {
    throw new TypeError(
      'the Redis url must start with redis://, rediss://, redis+sentinel:// or redis+cluster://',
    );
  }
  const [, scheme = '', userInfo, hosts = '', path = '', query = ''] = match;
  const sentinel = scheme === 'redis+sentinel';
  const nodes = hosts.split(',').map((host) => parseHost(host, sentinel ? 26379 : 6379));
  const credentials = userInfo === undefined ? {} : parseUserInfo(userInfo);
  if (!sentinel) {
    if (path !== '' && path !== '/') throw new TypeError('a redis+cluster:// url takes no path');
    return { mode: 'cluster', nodes, credentials };
  }
  const [, name = '', db = '0', ...rest] = path.split('/');
  if (name === '' || rest.length > 0 || !/^\d{1,2}$/.test(db)) {
    throw new TypeError('a redis+sentinel:// url needs /<master name>[/<db>] after the hosts');
  }
  const params = new URLSearchParams(query);
  return {
    mode: 'sentinel',
    sentinels: nodes,
    name: decodeURIComponent(name),
    db: Number(db),
    credentials,
    sentinelCredentials: definedOnly({
      username: params.get('sentinelUsername') ?? undefined,
      password: params.get('sentinelPassword') ?? undefined,
    }),
  };
}

function parseHost(text: string, defaultPort: number): HostPort {
  const match = hostPort.exec(text);
  const port = Number(match?.[3] ?? defaultPort);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || port < 1 || port > 65535) {
    throw new TypeError('a Redis url host must be host[:port] or [ipv6][:port]');
  }
  return { host, port };
}

function parseUserInfo(userInfo: string): Credentials {
  const colon = userInfo.indexOf(':');
  const username = colon < 0 ? userInfo : userInfo.slice(0, colon);
  const password = colon < 0 ? undefined : userInfo.slice(colon + 1);
  return definedOnly({
    username: username === '' ? undefined : decodeURIComponent(username),
    password: password === undefined ? undefined : decodeURIComponent(password),
  });
}

function definedOnly(credentials: {
  username: string | undefined;
  password: string | undefined;
}): Credentials {
  return {
    ...(credentials.username === undefined ? {} : { username: credentials.username }),
    ...(credentials.password === undefined ? {} : { password: credentials.password }),
  };
}
