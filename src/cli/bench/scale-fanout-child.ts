// The verifiers of the fan-out row (fanout.ts), in a process of their own so that parsing 200
// streams does not share a thread with the server that writes them. Started with fork(): it
// reads its orders from argv, creates the verifiers, and over the IPC channel says when they are
// ready and, for each revoked jti, when every verifier had it (wall-clock ms, both processes
// reading the same system clock).
import { createVerifier, type Verifier } from '../../verify/verifier.js';

interface Orders {
  issuer: string;
  clientId: string;
  clientSecret: string;
  verifiers: number;
}

/** Messages to the parent. */
export type ChildMessage =
  | { type: 'ready'; verifiers: number; failed: number; error?: string; startSeconds: number }
  | { type: 'arrived'; value: string; times: number[] }
  | { type: 'fatal'; error: string };

const send = (message: ChildMessage): void => {
  process.send?.(message);
};

const wallMs = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const orders = JSON.parse(process.argv[2] ?? '{}') as Orders;
  const started = performance.now();
  const verifiers: Verifier[] = [];
  const arrivals = new Map<string, number[]>();
  let failed = 0;
  let lastError: string | undefined;
  // A few at a time: each one discovers, loads the JWKS, takes a snapshot and opens its stream.
  for (let i = 0; i < orders.verifiers; i += 10) {
    const batch = Array.from({ length: Math.min(10, orders.verifiers - i) }, () =>
      createVerifier({
        issuer: orders.issuer,
        revocations: {
          feed: { clientId: orders.clientId, clientSecret: orders.clientSecret },
        },
      }),
    );
    for (const result of await Promise.allSettled(batch)) {
      if (result.status === 'fulfilled') verifiers.push(result.value);
      else {
        failed += 1;
        lastError = result.reason instanceof Error ? result.reason.message : String(result.reason);
      }
    }
  }
  const total = verifiers.length;
  for (const verifier of verifiers) {
    // Called inside the state's apply: from this moment the verifier refuses the token.
    verifier.sessionRevocations?.subscribe((revocation) => {
      const at = wallMs();
      const times = arrivals.get(revocation.value) ?? [];
      times.push(at);
      if (times.length === total) {
        arrivals.delete(revocation.value);
        send({ type: 'arrived', value: revocation.value, times });
      } else arrivals.set(revocation.value, times);
    });
  }
  // Wait until every stream is open, so the first event does not race a connection.
  const deadline = performance.now() + 10_000;
  while (verifiers.some((v) => !v.health().connected) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const message: ChildMessage = {
    type: 'ready',
    verifiers: verifiers.filter((v) => v.health().connected).length,
    failed: failed + verifiers.filter((v) => !v.health().connected).length,
    startSeconds: (performance.now() - started) / 1000,
  };
  if (lastError !== undefined) message.error = lastError;
  send(message);
  process.on('message', (order: unknown) => {
    // Partial arrivals of a timed-out event go back too, so the parent can count the misses.
    if (order === 'flush') {
      for (const [value, times] of arrivals) send({ type: 'arrived', value, times });
      arrivals.clear();
    }
    if (order === 'stop') {
      void Promise.allSettled(verifiers.map((v) => v.close())).then(() => process.exit(0));
    }
  });
}

main().catch((error: unknown) => {
  send({ type: 'fatal', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
