import { lookup } from 'node:dns/promises';
import {
  assertWebhookUrl,
  type Database,
  healthAnnouncementsFor,
  loadIntegrationHealth,
  type OutboxEvent,
  type SecretBox,
  syncEventPayload,
  type WebhookDelivery,
  WebhookUrlRefused,
  webhookStoreFor,
} from '@meander/db';
import { Webhook } from 'standardwebhooks';
import type { Logger } from '../logger.js';
import { healthChangedPayload, scanIntegrationHealth } from './health-scan.js';
import type { PgBossWebhookTransport, WebhookJob } from './pg-boss-transport.js';
import { pinnedPost, type WebhookSender } from './pinned-request.js';

/** How the relay delivers; every field but `db`, `box` and `logger` has a default. */
export interface WebhookRelayOptions {
  db: Database;
  box: SecretBox;
  logger: Logger;
  /** `WEBHOOK_ALLOWED_HOSTS`, parsed. */
  allowedHosts?: readonly string[];
  /** Attempts per delivery, the first included (default 6: the first and five retries). */
  maxAttempts?: number;
  /** The first retry's delay; each later one doubles it (default 10 s → 10, 20, 40, 80, 160 s). */
  baseDelayMs?: number;
  /** Longest wait for a receiver's answer (default 10 s). */
  timeoutMs?: number;
  /** How often the outbox and the due deliveries are looked at (default 500 ms). */
  pollMs?: number;
  /**
   * How often the health of subscribed organizations is recomputed to announce changes time alone
   * made (`WEBHOOK_HEALTH_SCAN_INTERVAL_SECONDS`; default 60 s).
   */
  healthScanMs?: number;
  /** Sends one attempt to the addresses the guard checked (default: node:http(s), pinned). */
  send?: WebhookSender;
  now?: () => Date;
  /** Resolve a host to its addresses (the SSRF guard checks each one; the request goes only to them). */
  resolve?: (host: string) => Promise<string[]>;
  /** PostgreSQL: attempts go through pg-boss; without it, this process sends them itself. */
  transport?: PgBossWebhookTransport | null;
}

const defaultResolve = async (host: string) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Delivers webhooks from the outbox, apart from the sync slots: a slow or dead receiver only ever
 * holds this loop's own request (bounded by the timeout), never a sync. Each outbox event becomes
 * one delivery per subscribed endpoint; each delivery keeps one `webhook-id` across its attempts,
 * retried with exponential backoff until it succeeds or runs out of attempts.
 */
export class WebhookRelay {
  private timer: NodeJS.Timeout | null = null;
  private scanTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private scanning: Promise<number> | null = null;
  private stopped = false;
  private readonly store;
  private readonly o: Required<Omit<WebhookRelayOptions, 'transport'>>;
  private readonly transport: PgBossWebhookTransport | null;

  constructor(options: WebhookRelayOptions) {
    this.o = {
      allowedHosts: [],
      maxAttempts: 6,
      baseDelayMs: 10_000,
      timeoutMs: 10_000,
      pollMs: 500,
      healthScanMs: 60_000,
      send: pinnedPost,
      now: () => new Date(),
      resolve: defaultResolve,
      ...options,
    };
    this.store = webhookStoreFor(options.db);
    this.transport = options.transport ?? null;
  }

  async start(): Promise<void> {
    await this.transport?.start((job) => this.deliverJob(job));
    this.timer = setInterval(() => void this.tick(), this.o.pollMs);
    this.timer.unref();
    this.scanTimer = setInterval(() => void this.scanHealth(), this.o.healthScanMs);
    this.scanTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.scanTimer) clearInterval(this.scanTimer);
    await Promise.all([this.running, this.scanning]);
    await this.transport?.stop();
  }

  /** A pg-boss job: send the attempt it names, unless that attempt was made already. */
  private async deliverJob(job: WebhookJob): Promise<void> {
    const delivery = await this.store.getDelivery(job.deliveryId);
    if (delivery?.status !== 'pending' || delivery.attempts + 1 !== job.attempt) return;
    await this.attempt(delivery);
  }

  /** One pass (never two at once): fan out new events, then send what is due. */
  tick(): Promise<void> {
    if (this.running || this.stopped) return this.running ?? Promise.resolve();
    this.running = this.pass()
      .catch((error: unknown) => this.o.logger.error({ err: String(error) }, 'webhook relay pass failed'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /**
   * Announce the health changes time alone made (never two scans at once in this process; other
   * processes are kept apart by the announcement lock). Resolves to the number announced.
   */
  scanHealth(): Promise<number> {
    if (this.scanning || this.stopped) return this.scanning ?? Promise.resolve(0);
    this.scanning = scanIntegrationHealth(this.o.db, this.o.now())
      .then((announced) => announced.length)
      .catch((error: unknown) => {
        this.o.logger.error({ err: String(error) }, 'webhook health scan failed');
        return 0;
      })
      .finally(() => {
        this.scanning = null;
      });
    return this.scanning;
  }

  private async pass(): Promise<void> {
    for (const event of await this.store.pendingOutbox(100)) await this.fanOut(event);
    const due = await this.store.claimDue(this.o.now().toISOString(), 20, this.o.timeoutMs * 3);
    const transport = this.transport;
    if (transport) {
      for (const d of due) await transport.send({ deliveryId: d.id, attempt: d.attempts + 1 });
      return;
    }
    await Promise.all(due.map((d) => this.attempt(d)));
  }

  private async fanOut(event: OutboxEvent): Promise<void> {
    const now = this.o.now().toISOString();
    let payload = event.payload;
    if (payload === null) {
      const log = event.syncLogId ? await this.o.db.syncLogs.get(event.syncLogId) : null;
      if (!log) {
        // Deleted by a global admin before delivery (or no sync to tell of): nothing left to tell.
        await this.store.discard(event.id, now);
        return;
      }
      payload = syncEventPayload(event.eventType, log, log.completedAt ?? now);
      await this.healthChange(log.id, log.organizationId, log.accountingSystem, log.completedAt ?? now);
    }
    await this.store.fanOut(event, payload, now);
  }

  /**
   * Queue `integration.health_changed` when this sync moved the integration to another state and
   * that state was not announced already (by another relay, or by the health scan).
   */
  private async healthChange(
    syncLogId: string,
    organizationId: string,
    system: string,
    at: string,
  ): Promise<void> {
    const now = new Date(at);
    const [before, after] = await Promise.all([
      loadIntegrationHealth(this.o.db, { organizationId, now, excludeSyncLogId: syncLogId }),
      loadIntegrationHealth(this.o.db, { organizationId, now }),
    ]);
    const was = before.find((h) => h.accountingSystem === system);
    const is = after.find((h) => h.accountingSystem === system);
    if (!is || !was || was.state === is.state) return;
    await healthAnnouncementsFor(this.o.db).announceIfChanged({
      organizationId,
      accountingSystem: is.accountingSystem,
      state: is.state,
      baseline: was.state,
      now: this.o.now().toISOString(),
      payload: (previous) => healthChangedPayload(is, previous, syncLogId, at),
    });
  }

  /** The delay before retry `n` (1-based): base × 2^(n−1), with ±10 % jitter so receivers are not stampeded. */
  retryDelayMs(retry: number): number {
    const delay = this.o.baseDelayMs * 2 ** (retry - 1);
    return Math.round(delay * (0.9 + Math.random() * 0.2));
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const started = this.o.now();
    const endpoint = await this.store.getEndpoint(delivery.endpointId);
    if (!endpoint) return;
    const log = this.o.logger;
    let statusCode: number | null = null;
    let error: string | null = null;
    let permanent = false;
    const t0 = performance.now();
    try {
      const target = new URL(endpoint.url);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const resolved = await this.o.resolve(host).catch(() => {
        throw new Error(`Could not resolve ${host}`);
      });
      assertWebhookUrl(endpoint.url, this.o.allowedHosts, resolved);
      const body = JSON.stringify(delivery.payload);
      const msgId = `msg_${delivery.id}`;
      const signature = new Webhook(this.o.box.open(endpoint.secretCiphertext)).sign(msgId, started, body);
      // The connection goes to the addresses just checked, never to a second DNS answer.
      const response = await this.o.send({
        url: target,
        addresses: resolved,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Meander-Webhooks/1',
          'webhook-id': msgId,
          'webhook-timestamp': String(Math.floor(started.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
        timeoutMs: this.o.timeoutMs,
      });
      statusCode = response.status;
      if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}`;
    } catch (caught) {
      permanent = caught instanceof WebhookUrlRefused;
      error =
        caught instanceof Error && caught.name === 'TimeoutError'
          ? `No answer within ${this.o.timeoutMs} ms`
          : String(caught instanceof Error ? caught.message : caught).slice(0, 500);
    }
    const durationMs = performance.now() - t0;
    const number = delivery.attempts + 1;
    const succeeded = error === null;
    const exhausted = permanent || number >= this.o.maxAttempts;
    const nextAttemptAt =
      succeeded || exhausted
        ? null
        : new Date(this.o.now().getTime() + this.retryDelayMs(number)).toISOString();
    await this.store.recordAttempt(
      delivery,
      { attemptedAt: started.toISOString(), statusCode, error, durationMs },
      { status: succeeded ? 'succeeded' : exhausted ? 'failed' : 'pending', nextAttemptAt },
    );
    log.info(
      {
        deliveryId: delivery.id,
        endpointId: endpoint.id,
        event: delivery.eventType,
        attempt: number,
        statusCode,
        error,
      },
      succeeded ? 'webhook delivered' : 'webhook attempt failed',
    );
  }
}
