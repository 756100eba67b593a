import { z } from "zod";
import type { Db } from "../../db.ts";
import { readJson } from "../shared/json.ts";

const routingSchema = z.record(z.string(), z.number());
const layersSchema = z.array(z.union([z.string(), z.object({ arn: z.string().optional(), Arn: z.string().optional(), codeSize: z.number().optional(), CodeSize: z.number().optional() }).passthrough()]));
const vpcSchema = z.object({ subnetIds: z.array(z.string()).optional(), SubnetIds: z.array(z.string()).optional(), securityGroupIds: z.array(z.string()).optional(), SecurityGroupIds: z.array(z.string()).optional(), vpcId: z.string().optional(), VpcId: z.string().optional() }).passthrough();

export interface AliasInfo {
  name: string;
  functionVersion: string;
  /** Additional version weights {"8": 0.1}. */
  routing: Record<string, number>;
  description: string | null;
}

export interface FunctionConfig {
  id: number;
  name: string;
  arn: string;
  sourceId: number;
  region: string;
  runtime: string | null;
  handler: string | null;
  description: string | null;
  architecture: string;
  memoryMb: number;
  timeoutSec: number;
  ephemeralMb: number;
  packageType: string;
  codeSizeBytes: number;
  layers: string[];
  tracingMode: string;
  vpc: { vpcId: string | null; subnets: number; securityGroups: number } | null;
  logGroup: string;
  logFormat: string;
  dlqTargetArn: string | null;
  maxRetryAttempts: number | null;
  maxEventAgeSec: number | null;
  onSuccessDestination: string | null;
  onFailureDestination: string | null;
  reservedConcurrency: number | null;
  lastModified: string | null;
  versions: Array<{ version: string; runtime: string | null; memoryMb: number | null; lastModified: string | null; description: string | null }>;
  aliases: AliasInfo[];
  provisioned: Array<{ qualifier: string; requested: number; allocated: number; available: number; status: string }>;
  eventSources: Array<{ uuid: string; eventSourceArn: string; state: string; batchSize: number | null; onFailureDestination: string | null }>;
}

/** A function's configuration facts, versions, aliases (with routing) and event sources. */
export async function getFunctionConfig(db: Db, name: string): Promise<FunctionConfig | null> {
  const f = await db.lambdaFunction.findFirst({
    where: { name, deletedAt: null },
    orderBy: { sourceId: "asc" },
    include: {
      source: { select: { region: true } },
      versions: { where: { deletedAt: null } },
      aliases: { where: { deletedAt: null }, orderBy: { name: "asc" } },
      provisioned: { where: { deletedAt: null } },
      mappings: { where: { deletedAt: null } },
    },
  });
  if (!f) return null;
  const vpcRaw = readJson(f.vpcJson, vpcSchema.nullable(), null);
  const subnets = vpcRaw?.subnetIds ?? vpcRaw?.SubnetIds ?? [];
  const sgs = vpcRaw?.securityGroupIds ?? vpcRaw?.SecurityGroupIds ?? [];
  const vpcId = vpcRaw?.vpcId ?? vpcRaw?.VpcId ?? null;
  return {
    id: f.id,
    name: f.name,
    arn: f.arn,
    sourceId: f.sourceId,
    region: f.source.region,
    runtime: f.runtime,
    handler: f.handler,
    description: f.description,
    architecture: f.architecture,
    memoryMb: f.memoryMb,
    timeoutSec: f.timeoutSec,
    ephemeralMb: f.ephemeralMb,
    packageType: f.packageType,
    codeSizeBytes: Number(f.codeSizeBytes),
    layers: readJson(f.layersJson, layersSchema, []).map((l) => (typeof l === "string" ? l : (l.arn ?? l.Arn ?? "layer"))),
    tracingMode: f.tracingMode,
    vpc: vpcRaw && (vpcId || subnets.length > 0) ? { vpcId, subnets: subnets.length, securityGroups: sgs.length } : null,
    logGroup: f.logGroup,
    logFormat: f.logFormat,
    dlqTargetArn: f.dlqTargetArn,
    maxRetryAttempts: f.maxRetryAttempts,
    maxEventAgeSec: f.maxEventAgeSec,
    onSuccessDestination: f.onSuccessDestination,
    onFailureDestination: f.onFailureDestination,
    reservedConcurrency: f.reservedConcurrency,
    lastModified: f.lastModified?.toISOString() ?? null,
    versions: f.versions
      .map((v) => ({ version: v.version, runtime: v.runtime, memoryMb: v.memoryMb, lastModified: v.lastModified?.toISOString() ?? null, description: v.description }))
      .sort((a, b) => versionOrder(a.version) - versionOrder(b.version)),
    aliases: f.aliases.map((a) => ({ name: a.name, functionVersion: a.functionVersion, routing: readJson(a.routingJson, routingSchema, {}), description: a.description })),
    provisioned: f.provisioned.map((p) => ({ qualifier: p.qualifier, requested: p.requested, allocated: p.allocated, available: p.available, status: p.status })),
    eventSources: f.mappings.map((m) => ({ uuid: m.uuid, eventSourceArn: m.eventSourceArn, state: m.state, batchSize: m.batchSize, onFailureDestination: m.onFailureDestination })),
  };
}

/** $LATEST sorts last, numbered versions numerically. */
export function versionOrder(v: string): number {
  return v === "$LATEST" ? Number.MAX_SAFE_INTEGER : Number.isFinite(Number(v)) ? Number(v) : Number.MAX_SAFE_INTEGER - 1;
}
