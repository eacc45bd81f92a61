/**
 * The order of `syncLogs.list`: `created_at DESC, id DESC`, with the cursor on that pair.
 *
 * Why not `started_at`: a pending sync's `startedAt` moves to the moment a worker claims it, so a
 * keyset on it lets a row jump from the unread part of the list into pages a client already read —
 * skipped — or the other way — repeated. `created_at` and `id` never change.
 *
 * What "newest `startedAt` first" still means: within one organization the two orders agree,
 * because an organization has at most one active sync — a sync is created only after the previous
 * one reached a terminal state, so it also starts after the previous one started. Across
 * organizations (a global admin's unfiltered list) the order is creation order.
 */
export const LIST_ORDER = ['created_at DESC', 'id DESC'] as const;
