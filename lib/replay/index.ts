/**
 * Replay of failed Lambda events (async DLQs, on-failure destinations, event-source-mapping
 * DLQs): dry run, re-invoke, redrive, discard, bulk at a rate limit, and the outcomes.
 * Every entry point validates its input with zod and requires "failures:replay".
 */
export { planReplay, replayEvent, discardEvent, finishPendingDeletes, type ReplayResult, type ReplayOutcome } from "./replay.ts";
export { bulkReplay, matchesErrorType, type BulkOptions, type BulkProgress, type BulkReplayResult, type BulkEventOutcome, type OutcomeCounts } from "./bulk.ts";
export { redriveQueue, type RedriveQueueResult } from "./redrive-queue.ts";
export { reconcileAsyncReplays, resolveInDoubt, getReplayHistory, type ReconcileResult, type ReplayHistoryEntry } from "./outcomes.ts";
export { type AttemptView, type ReplayClients } from "./context.ts";
export { openSourceClients } from "./source-clients.ts";
export { type ReplayPlan, type ReinvokePlan, type RedrivePlan, type Refusal, type RefusalCode } from "./plan.ts";
export {
  ReplayInputError,
  ReplayNotFoundError,
  replayInputSchema,
  discardInputSchema,
  bulkFilterSchema,
  redriveQueueInputSchema,
  resolveInDoubtInputSchema,
  type ReplayInput,
  type DiscardInput,
  type BulkFilter,
  type RedriveQueueInput,
  type ResolveInDoubtInput,
} from "./schemas.ts";
export { LAMBDA_ASYNC_PAYLOAD_LIMIT, LAMBDA_SYNC_PAYLOAD_LIMIT, SQS_MAX_MESSAGE_BYTES } from "./limits.ts";
