import type { RedisClient } from '../../kernel/redis/client';
import type { Logger } from '../../kernel/logger';
import { clusterGauges, type ClusterSnapshot } from './queue-metrics';

export interface ClusterMetricsDeps {
  redis: RedisClient;
  redisPrefix: string;
  /** This replica's id (the lease's value). */
  instanceId: string;
  /** How often the lease holder reads the cluster (the scrape interval is a good value). */
  intervalMs: number;
  read: () => Promise<ClusterSnapshot>;
  logger: Logger;
}

// Take the lease when free, or extend it when it is already ours; 1 when we hold it afterwards.
const ACQUIRE_OR_RENEW = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Cluster-wide gauges (queue depths, workflow counts, outbox age) read once per interval by ONE
 * replica: every replica tries a Redis lease (SET NX PX) each interval; the holder reads the
 * cluster and stores the snapshot in Redis. A scrape never reads queues or Temporal: it reads the
 * lease and the snapshot (one MGET) and renders the gauges only on the holder, so summing a
 * family over the replicas in Grafana counts each queue once. A holder that dies loses the lease
 * after two intervals and another replica takes over.
 */
export class ClusterMetrics {
  private timer: NodeJS.Timeout | undefined;
  private first: Promise<void> | undefined;
  private readonly leaseKey: string;
  private readonly snapshotKey: string;

  constructor(private readonly deps: ClusterMetricsDeps) {
    this.leaseKey = `${deps.redisPrefix}:metrics:cluster-lease`;
    this.snapshotKey = `${deps.redisPrefix}:metrics:cluster-snapshot`;
  }

  private get ttlMs() {
    return this.deps.intervalMs * 2;
  }

  /** One interval's work: hold the lease, and if held, read the cluster and store the snapshot. */
  async tick(): Promise<boolean> {
    const held = (await this.deps.redis.eval(
      ACQUIRE_OR_RENEW,
      1,
      this.leaseKey,
      this.deps.instanceId,
      String(this.ttlMs),
    )) as number;
    if (held !== 1) return false;
    const snapshot = await this.deps.read();
    await this.deps.redis.set(this.snapshotKey, JSON.stringify(snapshot), 'PX', this.ttlMs);
    return true;
  }

  /** Starts the interval (first tick now); `stop` releases the lease so another replica takes over at once. */
  start(): () => Promise<void> {
    const run = () =>
      this.tick().then(
        () => undefined,
        (err: unknown) => this.deps.logger.warn({ err }, 'cluster metrics tick failed'),
      );
    this.first = run();
    this.timer = setInterval(run, this.deps.intervalMs);
    this.timer.unref();
    return async () => {
      clearInterval(this.timer);
      await this.first;
      await this.deps.redis.eval(RELEASE, 1, this.leaseKey, this.deps.instanceId).catch(() => undefined);
    };
  }

  /** The gauges' exposition when this replica holds the lease and a snapshot exists; '' otherwise. */
  async exposition(): Promise<{ holder: boolean; text: string }> {
    await this.first;
    const [holder, stored] = await this.deps.redis.mget(this.leaseKey, this.snapshotKey);
    if (holder !== this.deps.instanceId || !stored) return { holder: holder === this.deps.instanceId, text: '' };
    return { holder: true, text: await clusterGauges(JSON.parse(stored) as ClusterSnapshot).metrics() };
  }
}
