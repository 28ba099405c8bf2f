import type { ClientRecord, ClientStore } from '../ports.js';

// The arrays too: a caller editing a returned client's scopes must not widen the stored grant.
function copy(client: ClientRecord): ClientRecord {
  return {
    ...client,
    scopes: [...client.scopes],
    audiences: [...client.audiences],
    grants: [...client.grants],
    redirectUris: [...client.redirectUris],
    postLogoutRedirectUris: [...client.postLogoutRedirectUris],
  };
}

/** An in-memory ClientStore: the reference semantics every other adapter must match. */
export function createMemoryClientStore(): ClientStore {
  const byId = new Map<string, ClientRecord>();

  return {
    async insert(client) {
      if (byId.has(client.id)) return 'exists';
      byId.set(client.id, copy(client));
      return 'created';
    },

    async findById(id) {
      const client = byId.get(id);
      return client && copy(client);
    },

    async list() {
      return [...byId.values()]
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(copy);
    },

    async delete(id) {
      return byId.delete(id);
    },

    async update(client) {
      const stored = byId.get(client.id);
      if (stored === undefined) return false;
      // The id and the creation time are the record's identity; an update never moves them.
      byId.set(client.id, { ...copy(client), id: stored.id, createdAt: stored.createdAt });
      return true;
    },
  };
}
