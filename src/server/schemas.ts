/**
 * Route schemas, declared once: Fastify validates requests and serializes responses with them,
 * @fastify/swagger turns them into /openapi.json, and TypeBox derives the TypeScript types.
 */
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';

const timestamp = Type.String({ format: 'date-time', description: 'ISO 8601' });

/** A user as the API shows it. */
export const User = Type.Object(
  { id: Type.String(), email: Type.String(), createdAt: timestamp },
  { $id: 'User', additionalProperties: false },
);

/** A session as the API shows it; `id` is a public handle, never the cookie value. */
export const Session = Type.Object(
  { id: Type.String(), createdAt: timestamp, expiresAt: timestamp },
  { $id: 'Session', additionalProperties: false },
);

/** One entry of the caller's session list. */
export const SessionListItem = Type.Object(
  {
    id: Type.String(),
    createdAt: timestamp,
    lastSeenAt: timestamp,
    expiresAt: timestamp,
    userAgent: Type.String(),
    ip: Type.String(),
    current: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** RFC 9457 problem details with Tessera's stable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    field: Type.Optional(Type.String()),
  },
  { $id: 'Problem' },
);

// Bounds on every string a client sends: nothing unbounded reaches argon2 or a store.
const email = Type.String({ minLength: 1, maxLength: 320 });
const password = Type.String({ minLength: 1, maxLength: 4096 });

/** Body of sign-up and login. */
export const Credentials = Type.Object({ email, password }, { additionalProperties: false });
export type Credentials = Static<typeof Credentials>;

/** Body of a password change. */
export const PasswordChange = Type.Object(
  { currentPassword: password, newPassword: password },
  { additionalProperties: false },
);
export type PasswordChange = Static<typeof PasswordChange>;

/** The responses every authenticated route can answer with, besides its success. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));
}

/** An empty 204 response. */
export const NoContent = Type.Null({ description: 'No content' });

/** The JSON of a token response (RFC 6749 §5.1). */
export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer(),
    refresh_token: Type.Optional(Type.String()),
    scope: Type.String(),
    id_token: Type.Optional(Type.String({ description: 'OpenID Connect ID token (scope openid)' })),
  },
  { $id: 'TokenResponse' },
);
