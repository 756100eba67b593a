/**
 * A function's behaviour profile: the numbers the outcome model draws from. It is data
 * in the shop, and travels with deployed functions as the FAASIGHT_SIM_PROFILE
 * environment variable so the sandbox's Invoke runs the same model.
 */
import { z } from "zod";

export const PROFILE_ENV = "FAASIGHT_SIM_PROFILE";

const downstreamSchema = z.object({
  /** Subsegment name as X-Ray shows it: "DynamoDB", "S3", "SQS", "api.stripe.com". */
  name: z.string(),
  namespace: z.enum(["aws", "remote"]),
  operation: z.string().optional(),
  /** Table, bucket, queue URL or request URL, depending on the service. */
  resource: z.string().optional(),
  /** Share of the invocation's duration this call takes (0..1). */
  share: z.number().min(0).max(1),
  /** Probability the call happens in an invocation. */
  probability: z.number().min(0).max(1).default(1),
});

const errorSchema = z.object({
  type: z.string(),
  message: z.string(),
  weight: z.number().positive().default(1),
  /** The downstream call that fails with this error, if any. */
  downstream: z.string().optional(),
});

export const profileSchema = z.object({
  /** Median duration (ms) and log-normal shape. */
  durationMs: z.number().positive(),
  durationSigma: z.number().min(0).max(3).default(0.5),
  /** A slow tail: probability and range (ms) of unusually long invocations. */
  tail: z.object({ probability: z.number().min(0).max(1), minMs: z.number().positive(), maxMs: z.number().positive() }).optional(),
  /** Median Init Duration (ms) on cold starts. */
  initMs: z.number().positive(),
  memoryUsedMb: z.tuple([z.number().positive(), z.number().positive()]),
  errorRate: z.number().min(0).max(1).default(0),
  errors: z.array(errorSchema).default([]),
  timeoutRate: z.number().min(0).max(1).default(0),
  oomRate: z.number().min(0).max(1).default(0),
  /** Mean number of application log lines per invocation. */
  appLogLines: z.number().min(0).max(50).default(1),
  downstream: z.array(downstreamSchema).default([]),
  /** Proxy-integration status codes a successful invocation returns. */
  statusCodes: z.array(z.object({ code: z.number().int(), weight: z.number().positive() })).default([{ code: 200, weight: 1 }]),
  /** SQS: probability each message of a batch is reported as a batch item failure. */
  batchItemFailureRate: z.number().min(0).max(1).default(0),
  /** Minutes an idle execution environment survives (uniform range). */
  idleMinutes: z.tuple([z.number().positive(), z.number().positive()]).default([5, 15]),
  responseBytes: z.number().int().min(0).default(512),
});

export type BehaviourProfile = z.infer<typeof profileSchema>;
export type BehaviourProfileInput = z.input<typeof profileSchema>;
export type DownstreamSpec = BehaviourProfile["downstream"][number];
export type ErrorSpec = BehaviourProfile["errors"][number];

/** How a published version differs from the function's base profile (a regression, a fix). */
export interface VersionOverrides {
  errorRateFactor?: number;
  durationFactor?: number;
  timeoutRateFactor?: number;
}

/** The profile used when a function carries none (created by someone else). */
export const DEFAULT_PROFILE: BehaviourProfile = profileSchema.parse({
  durationMs: 45,
  durationSigma: 0.6,
  initMs: 180,
  memoryUsedMb: [60, 90],
  errorRate: 0.01,
  errors: [{ type: "Error", message: "Unexpected failure", weight: 1 }],
  appLogLines: 1,
});

/** Applies version overrides to a profile. */
export function applyOverrides(profile: BehaviourProfile, overrides: VersionOverrides | undefined): BehaviourProfile {
  if (!overrides) return profile;
  return {
    ...profile,
    durationMs: profile.durationMs * (overrides.durationFactor ?? 1),
    errorRate: Math.min(1, profile.errorRate * (overrides.errorRateFactor ?? 1)),
    timeoutRate: Math.min(1, profile.timeoutRate * (overrides.timeoutRateFactor ?? 1)),
  };
}

/** The profile a deployed function's environment carries, or the default when absent or invalid. */
export function profileFromEnvironment(environment: Record<string, string> | undefined): BehaviourProfile {
  const raw = environment?.[PROFILE_ENV];
  if (!raw) return DEFAULT_PROFILE;
  try {
    const parsed = profileSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : DEFAULT_PROFILE;
  } catch {
    return DEFAULT_PROFILE;
  }
}

/** Serialises a profile for the environment variable (Lambda caps all variables at 4 KB together). */
export function profileToEnvironment(profile: BehaviourProfile): string {
  return JSON.stringify(profile);
}
