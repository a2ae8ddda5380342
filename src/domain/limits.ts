/**
 * The protocol's numbers, apart from its schemas (protocol.ts): the app's first screen needs these without loading
 * the schema library.
 */
export const API_PREFIX = "/api/v1";
/** Most events one push may carry. */
export const MAX_PUSH_EVENTS = 500;
/** The batch a device sends when it has more queued. */
export const DEFAULT_PUSH_BATCH = 200;
/** Request bodies above this are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Device clocks further than this from the server's are a conflict (registration times would be wrong). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Most events one pull returns. */
export const MAX_PULL_EVENTS = 1000;
/** Most box labels one print run reserves (POST /sites/{code}/box-labels). */
export const MAX_BOX_LABELS = 500;
