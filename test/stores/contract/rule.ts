/** What every part of the store contract shares: the rule signature, times, and small helpers. */
import { randomUUID } from 'node:crypto';
import type { Stores } from '../../../src/stores/ports.js';

/** Registers one rule; the body gets fresh, empty stores that are closed afterwards. */
export type Rule = (title: string, body: (stores: Stores) => Promise<void>) => void;

export const t0 = Date.UTC(2026, 0, 1);
export const minute = 60_000;
export const hour = 60 * minute;

/** Orders records by id, for comparing lists whose order the port leaves open. */
export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A copy of `values`, sorted; for lists whose order the port leaves open. */
export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

/** A fresh SHA-256-sized hex string. */
export function aHash(): string {
  return randomUUID().replaceAll('-', '').repeat(2);
}
