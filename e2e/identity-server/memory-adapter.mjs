// oidc-provider storage for one emulator: plain Maps that keep every entry until
// it expires. (oidc-provider's own development adapter is an LRU of about 1000
// entries, which a long test run outgrows: sessions and refresh tokens vanished.)
import { ExpiringMap } from './expiring-map.mjs';

/** @returns {new (name: string) => object} an adapter class whose instances share one store */
export function createMemoryAdapter() {
  const store = new ExpiringMap();
  const grantIndex = new Map();
  const userCodes = new Map();
  const uids = new Map();

  return class EmulatorMemoryAdapter {
    constructor(name) {
      this.name = name;
    }

    key(id) {
      return `${this.name}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      store.set(key, structuredClone(payload), expiresIn);
      if (payload.grantId) {
        if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
        grantIndex.get(payload.grantId).add(key);
      }
      if (payload.userCode) userCodes.set(payload.userCode, id);
      if (payload.uid) uids.set(payload.uid, id);
    }

    async find(id) {
      const payload = store.get(this.key(id));
      return payload === undefined ? undefined : structuredClone(payload);
    }

    async findByUserCode(userCode) {
      const id = userCodes.get(userCode);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUid(uid) {
      const id = uids.get(uid);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id) {
      const payload = store.get(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id) {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      for (const key of grantIndex.get(grantId) ?? []) store.delete(key);
      grantIndex.delete(grantId);
    }
  };
}
