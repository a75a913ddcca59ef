import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics one process records about itself: HTTP (per route template), BullMQ jobs it
 * processed, the business events it saw, the process defaults. Each process has its own registry
 * (a Prometheus target per instance); the cluster-wide gauges are not here but in
 * features/monitoring/cluster-metrics.ts, computed by one replica.
 *
 * Names and units follow https://prometheus.io/docs/practices/naming/: seconds, `_total` on
 * counters, label values from small fixed sets (a route template, never a raw path).
 */
export function createAppMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // prom-client also exposes three `nodejs_active_*_total` gauges, which `promtool check metrics`
  // refuses (that suffix is for counters); its `nodejs_active_handles`, `_requests` and
  // `_resources` gauges carry the same numbers by type, so the totals go.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);

  const http = {
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration, by method, route template and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };

  const jobs = {
    finished: new Counter({
      name: 'bullmq_jobs_processed_total',
      help: 'BullMQ jobs this process finished, by queue and outcome (completed or failed: one attempt each)',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    wait: new Histogram({
      name: 'bullmq_job_wait_seconds',
      help: 'Time a BullMQ job waited between becoming ready (created plus its delay) and a worker taking it',
      labelNames: ['queue'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    }),
    processing: new Histogram({
      name: 'bullmq_job_processing_seconds',
      help: 'Time a BullMQ worker spent on one attempt of a job, by queue and outcome',
      labelNames: ['queue', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers,
    }),
  };

  const business = {
    kycDecisions: new Counter({
      name: 'kyc_decisions_total',
      help: 'Final KYC decisions applied, by actor type (provider, admin, system) and outcome',
      labelNames: ['actor', 'outcome'] as const,
      registers,
    }),
    amlFindings: new Counter({
      name: 'aml_findings_total',
      help: 'AML findings recorded (not PASS), by rule and severity',
      labelNames: ['rule', 'severity'] as const,
      registers,
    }),
    webhookSignatureFailures: new Counter({
      name: 'webhook_signature_failures_total',
      help: 'Provider webhook deliveries refused for a missing or invalid signature, by provider',
      labelNames: ['provider'] as const,
      registers,
    }),
    loginFailures: new Counter({
      name: 'auth_login_failures_total',
      help: 'Sign-in attempts refused, by reason (bad_credentials, locked, inactive)',
      labelNames: ['reason'] as const,
      registers,
    }),
    socketConnections: new Gauge({
      name: 'socketio_connections',
      help: 'Socket.IO connections open on this instance',
      registers,
    }),
    socketConnectionsOpened: new Counter({
      name: 'socketio_connections_opened_total',
      help: 'Socket.IO connections accepted by this instance',
      registers,
    }),
    settlementLag: new Histogram({
      name: 'binary_settlement_lag_seconds',
      help: 'Binary trades: time from expiry to settlement (settledAt - expiresAt)',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
      registers,
    }),
    settlementFailed: new Counter({
      name: 'binary_settlement_failed_total',
      help: 'Binary trades marked SETTLEMENT_FAILED (settlement retries exhausted)',
      registers,
    }),
  };

  const clusterLeaseHeld = new Gauge({
    name: 'cluster_metrics_lease_held',
    help: '1 on the replica that holds the cluster metrics lease and emits the cluster-wide gauges, else 0',
    registers,
  });

  return { registry, http, jobs, business, clusterLeaseHeld };
}

export type AppMetrics = ReturnType<typeof createAppMetrics>;
