/**
 * Prometheus metrics (`GET /metrics`) through prom-client, one registry per app so several
 * apps in one process (tests, embedding) never share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Core } from '../core/tessera.js';
import type { FastifyInstance } from 'fastify';

/** Registers the metrics hooks and the `/metrics` route. */
export function installMetrics(app: FastifyInstance, core: Core): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tessera_process_' });
  const requests = new Counter({
    name: 'tessera_http_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'tessera_session_cache_entries',
    help: 'Sessions held in the near cache',
    registers: [registry],
    collect() {
      this.set(core.nearCache.stats().size);
    },
  });
  new Gauge({
    name: 'tessera_session_cache_hits',
    help: 'Session checks answered by the near cache since start',
    registers: [registry],
    collect() {
      this.set(core.nearCache.stats().hits);
    },
  });
  new Gauge({
    name: 'tessera_revocation_feed_readers',
    help: 'Open revocation feed streams',
    registers: [registry],
    collect() {
      this.set(core.feed.readers);
    },
  });

  installAuditMetrics(registry, core);

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths must not become label values.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    void reply.type(registry.contentType);
    return registry.metrics();
  });
}

/** The audit log's figures: what was recorded, dropped, waits, and how often the store refused. */
function installAuditMetrics(registry: Registry, core: Core): void {
  new Counter({
    name: 'tessera_audit_events_total',
    help: 'Audit events recorded since start, by kind (dropped ones included)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, count] of core.audit.figures().recorded) this.inc({ kind }, count);
    },
  });
  new Counter({
    name: 'tessera_audit_dropped_total',
    help: 'Audit events dropped because the queue was full',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(core.audit.status().dropped);
    },
  });
  new Gauge({
    name: 'tessera_audit_queue_size',
    help: 'Audit events waiting to be written',
    registers: [registry],
    collect() {
      this.set(core.audit.status().queued);
    },
  });
  new Counter({
    name: 'tessera_audit_write_failures_total',
    help: 'Audit batches the store refused (each is retried)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(core.audit.figures().writeFailures);
    },
  });
}
