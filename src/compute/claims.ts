import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { ComputeHolder, ComputeRow, ComputeStore, HeldClaim } from './store/compute-store.js';
import { isProcessAlive } from '../repo/commit/locks.js';

const HOST = hostname();
/** Tokens made by this thread start with this (pid, thread, random: unique across restarts). */
const PREFIX = `${process.pid}.${threadId}.${randomBytes(4).toString('hex')}.`;
let counter = 0;

/** A holder with a fresh token for one claim. */
export function newHolder(): ComputeHolder {
  return { pid: process.pid, host: HOST, token: PREFIX + (counter++).toString(36) };
}

interface Held {
  readonly store: ComputeStore;
  readonly claim: HeldClaim;
  readonly leaseMs: number;
}

/** Every claim this thread computes right now, by token. */
const held = new Map<string, Held>();
let timer: NodeJS.Timeout | undefined;
let period = Infinity;
let renewing = false;

/** Renewal runs at a third of the shortest lease, within these bounds. */
const MIN_PERIOD_MS = 20;
const MAX_PERIOD_MS = 10_000;

async function renewAll(): Promise<void> {
  if (renewing) return;
  renewing = true;
  try {
    const groups = new Map<ComputeStore, Map<number, HeldClaim[]>>();
    for (const { store, claim, leaseMs } of held.values()) {
      let byLease = groups.get(store);
      if (!byLease) groups.set(store, (byLease = new Map()));
      const list = byLease.get(leaseMs);
      if (list) list.push(claim);
      else byLease.set(leaseMs, [claim]);
    }
    for (const [store, byLease] of groups) {
      for (const [leaseMs, claims] of byLease) {
        try {
          await store.renew(claims, Date.now() + leaseMs);
        } catch {
          // A busy or closing store: the next tick tries again, well within the lease.
        }
      }
    }
  } finally {
    renewing = false;
  }
}

/**
 * Registers a claim this thread now computes. One shared, unref'd timer renews the leases of all of
 * them (no timer or listener per compute); it stops when the last claim is dropped.
 */
export function holdClaim(store: ComputeStore, claim: HeldClaim, leaseMs: number): void {
  held.set(claim.token, { store, claim, leaseMs });
  const wanted = Math.min(MAX_PERIOD_MS, Math.max(MIN_PERIOD_MS, Math.floor(leaseMs / 3)));
  if (timer === undefined || wanted < period) {
    if (timer !== undefined) clearInterval(timer);
    period = wanted;
    timer = setInterval(() => void renewAll(), period);
    timer.unref();
  }
}

/** Forgets a claim that finished (or was lost). */
export function dropClaim(token: string): void {
  held.delete(token);
  if (held.size === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
    period = Infinity;
  }
}

/** How many claims this thread holds (tests check that nothing leaks). */
export function heldClaimCount(): number {
  return held.size;
}

/**
 * Whether a pending row's holder still works on it. Stale when: the claim was made by this thread
 * and is no longer held here; or its lease ended; or it runs on this host and its pid is gone.
 */
export function isHolderLive(row: ComputeRow, nowMs: number): boolean {
  if (row.token !== null && row.token.startsWith(PREFIX)) return held.has(row.token);
  if (row.leaseUntilMs !== null && row.leaseUntilMs < nowMs) return false;
  if (row.host === HOST && row.pid !== null && !isProcessAlive(row.pid)) return false;
  return true;
}
