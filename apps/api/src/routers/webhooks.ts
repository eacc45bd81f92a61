import { randomBytes } from 'node:crypto';
import {
  assertWebhookUrl,
  WEBHOOK_EVENTS,
  type WebhookEndpoint,
  WebhookUrlRefused,
  webhookStoreFor,
} from '@meander/db';
import { DomainError, organizationNotFound, type Principal } from '@meander/domain';
import { z } from 'zod';
import type { Context } from '../trpc/context.js';
import { procedureFor, requireAllowed, router } from '../trpc/init.js';
import { requireOrganizationScope } from './tenancy.js';

const eventsSchema = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .max(WEBHOOK_EVENTS.length)
  .refine((e) => new Set(e).size === e.length, { message: 'Each event at most once' });

/** An endpoint the principal may manage; another organization's answers NOT_FOUND like a missing one. */
async function visibleEndpoint(ctx: Pick<Context, 'db'>, principal: Principal, id: string) {
  const endpoint = await webhookStoreFor(ctx.db).getEndpoint(id);
  if (!endpoint || (principal.role === 'org_admin' && endpoint.organizationId !== principal.organizationId)) {
    throw new DomainError('NOT_FOUND', `Webhook endpoint ${id} does not exist`);
  }
  requireAllowed(principal, 'webhook.manage', endpoint.organizationId);
  return endpoint;
}

const publicEndpoint = (e: WebhookEndpoint): WebhookEndpoint => ({
  id: e.id,
  organizationId: e.organizationId,
  url: e.url,
  events: e.events,
  createdBy: e.createdBy,
  createdAt: e.createdAt,
});

/** A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export const webhooksRouter = router({
  /** Register an endpoint; the signing secret is returned here once and stored only sealed. */
  create: procedureFor('webhook.manage')
    .input(
      z.strictObject({
        organizationId: z.uuid(),
        url: z.string().trim().min(1).max(2_048),
        events: eventsSchema.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const organizationId = requireOrganizationScope(ctx.principal, input.organizationId);
      requireAllowed(ctx.principal, 'webhook.manage', organizationId);
      if (!(await ctx.db.organizations.get(organizationId))) {
        throw organizationNotFound(organizationId);
      }
      let url: URL;
      try {
        url = assertWebhookUrl(input.url, ctx.webhooks.allowedHosts);
      } catch (error) {
        if (!(error instanceof WebhookUrlRefused)) throw error;
        throw new DomainError('VALIDATION_FAILED', error.message, [
          { rule: 'schema', severity: 'error', path: ['url'], message: error.message },
        ]);
      }
      const secret = newSecret();
      const endpoint = await webhookStoreFor(ctx.db).createEndpoint({
        organizationId,
        // The parsed form: bidi controls and other invisibles percent-encoded, a look-alike host in
        // punycode — what the list shows is where deliveries go, byte for byte.
        url: url.href,
        events: input.events ?? [...WEBHOOK_EVENTS],
        secretCiphertext: ctx.webhooks.box.seal(secret),
        createdBy: ctx.principal.userId,
        now: ctx.now().toISOString(),
      });
      return { ...publicEndpoint(endpoint), secret };
    }),

  /** The organization's endpoints (never their secrets). */
  list: procedureFor('webhook.manage')
    .input(z.strictObject({ organizationId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const organizationId = requireOrganizationScope(ctx.principal, input.organizationId);
      return (await webhookStoreFor(ctx.db).listEndpoints(organizationId)).map(publicEndpoint);
    }),

  /** Remove an endpoint with its delivery log. */
  delete: procedureFor('webhook.manage')
    .input(z.strictObject({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const endpoint = await visibleEndpoint(ctx, ctx.principal, input.id);
      await webhookStoreFor(ctx.db).deleteEndpoint(endpoint.id);
      return { id: endpoint.id, deleted: true as const };
    }),

  /** Queue a signed `webhook.test` event to this endpoint; the worker delivers it like any other. */
  test: procedureFor('webhook.manage')
    .input(z.strictObject({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const endpoint = await visibleEndpoint(ctx, ctx.principal, input.id);
      const timestamp = ctx.now().toISOString();
      const outboxId = await webhookStoreFor(ctx.db).enqueue({
        organizationId: endpoint.organizationId,
        eventType: 'webhook.test',
        endpointId: endpoint.id,
        payload: {
          type: 'webhook.test',
          timestamp,
          data: { endpointId: endpoint.id, organizationId: endpoint.organizationId },
        },
        now: timestamp,
      });
      return { endpointId: endpoint.id, eventId: outboxId, queued: true as const };
    }),

  /** The endpoint's delivery log, newest first: each delivery's status and every attempt. */
  deliveries: procedureFor('webhook.manage')
    .input(z.strictObject({ id: z.uuid(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(async ({ ctx, input }) => {
      const endpoint = await visibleEndpoint(ctx, ctx.principal, input.id);
      return webhookStoreFor(ctx.db).listDeliveries(endpoint.id, input.limit);
    }),
});
