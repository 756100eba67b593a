/**
 * Sources = accounts x regions to collect from: a JSON config file (FAASIGHT_SOURCES_FILE)
 * validated with zod, or one default source from the environment (AWS credentials or an
 * endpoint), or the local sandbox when neither is configured.
 */
import fs from "node:fs";
import { z } from "zod";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { Env } from "../env.ts";
import type { Db } from "../db.ts";
import { createAwsClients, sandboxTarget, type AwsClients, type AwsTarget } from "../aws/clients.ts";
import { QuotaGovernor, governClients } from "../aws/quota.ts";

export const sourceConfigSchema = z
  .object({
    name: z.string().min(1).max(100),
    accountId: z
      .string()
      .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
      .optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1"),
    roleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "must be an IAM role ARN")
      .optional(),
    externalId: z.string().min(2).max(1224).optional(),
    endpoint: z.string().url().optional(),
    /** Multiplies this source's API rate limits (emulators have no AWS quotas). */
    quotaScale: z.number().positive().max(1000).optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((s) => !s.externalId || s.roleArn, { message: "externalId needs roleArn", path: ["externalId"] });

export const sourcesFileSchema = z.array(sourceConfigSchema).min(1).refine((l) => new Set(l.map((s) => s.name)).size === l.length, { message: "source names must be unique" });

export type SourceConfig = z.infer<typeof sourceConfigSchema>;

export class SourcesConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourcesConfigError";
  }
}

/** Parses a sources file's text; the message names the bad entry and field. */
export function parseSourcesFile(text: string, file = "sources file"): SourceConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SourcesConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const r = sourcesFileSchema.safeParse(raw);
  if (!r.success) throw new SourcesConfigError(`${file}:\n${r.error.issues.map((i) => `  [${i.path.join(".")}] ${i.message}`).join("\n")}`);
  return r.data;
}

/** Whether the environment holds AWS credentials (keys, a profile, web identity or a container role). */
export function hasAwsCredentials(env: Pick<Env, "AWS_ACCESS_KEY_ID" | "AWS_PROFILE">, processEnv: Record<string, string | undefined> = process.env): boolean {
  return !!(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || processEnv.AWS_WEB_IDENTITY_TOKEN_FILE || processEnv.AWS_CONTAINER_CREDENTIALS_FULL_URI || processEnv.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);
}

/** The sandbox URL the default source uses. */
export function sandboxUrl(env: Pick<Env, "FAASIGHT_SANDBOX_PORT">): string {
  return `http://127.0.0.1:${env.FAASIGHT_SANDBOX_PORT}`;
}

/** The configured sources: the file, else the environment's account, else the sandbox. */
export function resolveSources(env: Env): { sources: SourceConfig[]; sandbox: boolean; staticCredentials: boolean } {
  // Emulator endpoints without credentials get placeholder keys (they check no signatures).
  const staticCredentials = !hasAwsCredentials(env);
  if (env.FAASIGHT_SOURCES_FILE) {
    const text = fs.readFileSync(env.FAASIGHT_SOURCES_FILE, "utf8");
    return { sources: parseSourcesFile(text, env.FAASIGHT_SOURCES_FILE).filter((s) => s.enabled), sandbox: false, staticCredentials };
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  if (!staticCredentials || env.AWS_ENDPOINT_URL) return { sources: [{ name: "default", region, endpoint: env.AWS_ENDPOINT_URL, enabled: true }], sandbox: false, staticCredentials };
  return { sources: [{ name: "sandbox", region, endpoint: sandboxUrl(env), enabled: true }], sandbox: true, staticCredentials };
}

/** SDK attempts per call for collection (standard retry mode). */
export const COLLECTOR_MAX_ATTEMPTS = 12;

/** A source ready to collect: its store row, governed SDK clients, and its quota counters. */
export interface SourceContext {
  id: number;
  config: SourceConfig;
  accountId: string;
  clients: AwsClients;
  governor: QuotaGovernor;
}

/** The AWS target of a source (sandbox credentials for the sandbox). */
export function targetOf(s: SourceConfig, staticCredentials: boolean): AwsTarget {
  const base: AwsTarget = staticCredentials && s.endpoint ? sandboxTarget(s.endpoint, s.region) : { region: s.region, endpoint: s.endpoint };
  // Background work retries much more than interactive calls: at a 30% throttle rate 12
  // attempts fail once in ~2 million calls (throttling backs off up to 20 s per attempt).
  return { ...base, roleArn: s.roleArn, externalId: s.externalId, maxAttempts: COLLECTOR_MAX_ATTEMPTS };
}

/** Builds clients, learns the account id (STS), and upserts the Source row. */
export async function openSource(db: Db, s: SourceConfig, opts: { staticCredentials: boolean; quotaScale: number; target?: AwsTarget }): Promise<SourceContext> {
  const clients = createAwsClients(opts.target ?? targetOf(s, opts.staticCredentials));
  const governor = new QuotaGovernor(s.quotaScale ?? opts.quotaScale);
  governClients(clients, governor);
  let accountId = s.accountId;
  try {
    // Also proves the credentials (and an assumed role's external id) work before collecting.
    const who = await clients.sts.send(new GetCallerIdentityCommand({}));
    accountId ??= who.Account ?? "000000000000";
  } catch (err) {
    clients.destroy();
    throw new Error(`source ${s.name}: ${(err as Error).message}`);
  }
  const data = { accountId, region: s.region, roleArn: s.roleArn ?? null, externalId: s.externalId ?? null, endpoint: s.endpoint ?? null, enabled: true };
  const byName = await db.source.findUnique({ where: { name: s.name } });
  const row = byName
    ? await db.source.update({ where: { id: byName.id }, data })
    : ((await db.source.findUnique({ where: { accountId_region: { accountId, region: s.region } } }))
        ? await db.source.update({ where: { accountId_region: { accountId, region: s.region } }, data: { ...data, name: s.name } })
        : await db.source.create({ data: { name: s.name, ...data } }));
  return { id: row.id, config: s, accountId, clients, governor };
}
