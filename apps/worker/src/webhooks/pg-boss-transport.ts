import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';

const WEBHOOK_QUEUE = 'meander-webhook';

/** A leased delivery attempt handed to pg-boss: any worker node may send it. */
export interface WebhookJob {
  deliveryId: string;
  /** The attempt number this job is for; a job for an attempt already made is dropped. */
  attempt: number;
}

/**
 * Webhook attempts through pg-boss on PostgreSQL: the relay leases due deliveries from the outbox
 * tables (which stay the record of every attempt and of the backoff schedule) and sends one job
 * per attempt; every worker node consumes the queue. pg-boss's own retries are off: a failed
 * attempt is logged and rescheduled by the relay, so the attempt count and `webhook-id` stay ours.
 */
export class PgBossWebhookTransport {
  private boss: PgBoss | null = null;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    /**
     * Serialises queue creation across nodes (the sync queue's advisory lock): pg-boss's
     * createQueue deadlocked when three nodes started at once, and the loser crashed.
     */
    private readonly setupLock: (setup: () => Promise<void>) => Promise<void> = (setup) => setup(),
  ) {}

  async start(handle: (job: WebhookJob) => Promise<void>): Promise<void> {
    const boss = new PgBoss({
      connectionString: this.connectionString,
      schema: 'pgboss',
      application_name: 'meander-webhooks',
      max: 2,
    });
    boss.on('error', (error) => this.logger.error({ err: String(error) }, 'pg-boss (webhooks) error'));
    await boss.start();
    await this.setupLock(async () => {
      if (await boss.getQueue(WEBHOOK_QUEUE)) return;
      try {
        await boss.createQueue(WEBHOOK_QUEUE, { name: WEBHOOK_QUEUE, retryLimit: 0, expireInSeconds: 120 });
      } catch (error) {
        if (!(await boss.getQueue(WEBHOOK_QUEUE))) throw error;
      }
    });
    await boss.work<WebhookJob>(
      WEBHOOK_QUEUE,
      { batchSize: 5, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        await Promise.all(jobs.map((job) => handle(job.data)));
      },
    );
    this.boss = boss;
  }

  async send(job: WebhookJob): Promise<void> {
    if (!this.boss) throw new Error('webhook transport not started');
    await this.boss.send(WEBHOOK_QUEUE, job);
  }

  async stop(): Promise<void> {
    await this.boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
    this.boss = null;
  }
}
