/**
 * Writes an inventory snapshot: upserts by natural key, only rows that changed; things no
 * longer listed get deletedAt (never deleted, so their history stays). Queue roles (DLQ,
 * destination, source) are derived from the functions, mappings and redrive policies.
 */
import type { Db } from "../db.ts";
import type { InventorySnapshot } from "../collect/inventory.ts";

export interface InventoryWriteResult {
  written: number;
  deleted: number;
}

type Fields = Record<string, unknown>;

function differs(a: Fields | undefined, b: Fields): boolean {
  if (!a) return true;
  for (const [k, v] of Object.entries(b)) {
    const x = a[k];
    const norm = (y: unknown) => (y instanceof Date ? y.getTime() : typeof y === "bigint" ? y.toString() : y ?? null);
    if (norm(x) !== norm(v)) return true;
  }
  return false;
}

const sortedJson = (o: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))));

/** Derives each queue's role and what feeds it (pure). */
export function queueRoles(
  queues: Array<{ arn: string }>,
  functions: Array<{ name: string; dlqTargetArn: string | null; destinations: string[] }>,
  mappings: Array<{ functionName: string; eventSourceArn: string; onFailureDestination?: string | null }>,
  redrives: Array<{ arn: string; redriveTargetArn?: string | null }>,
): Map<string, { role: string; feeds: string[] }> {
  const out = new Map<string, { role: string; feeds: Set<string>; rank: number }>();
  const mark = (arn: string | null | undefined, role: string, feed: string) => {
    if (!arn) return;
    const rank = { dlq: 3, destination: 2, source: 1 }[role] ?? 0;
    const e = out.get(arn) ?? { role: "other", feeds: new Set<string>(), rank: 0 };
    if (rank > e.rank) Object.assign(e, { role, rank });
    e.feeds.add(feed);
    out.set(arn, e);
  };
  for (const f of functions) {
    mark(f.dlqTargetArn, "dlq", f.name);
    for (const d of f.destinations) if (d.includes(":sqs:")) mark(d, "destination", f.name);
  }
  for (const m of mappings) {
    if (m.onFailureDestination?.includes(":sqs:")) mark(m.onFailureDestination, "dlq", m.functionName);
  }
  // A redrive DLQ is fed by the functions that consume its source queue (event source mappings).
  for (const q of redrives) {
    const consumers = mappings.filter((m) => m.eventSourceArn === q.arn).map((m) => m.functionName);
    if (consumers.length) for (const f of consumers) mark(q.redriveTargetArn, "dlq", f);
    else mark(q.redriveTargetArn, "dlq", q.arn);
  }
  const result = new Map<string, { role: string; feeds: string[] }>();
  for (const q of queues) {
    const e = out.get(q.arn);
    const isSource = mappings.some((m) => m.eventSourceArn === q.arn);
    if (!e) result.set(q.arn, { role: isSource ? "source" : "other", feeds: isSource ? mappings.filter((m) => m.eventSourceArn === q.arn).map((m) => m.functionName) : [] });
    else result.set(q.arn, { role: e.role, feeds: [...e.feeds].sort() });
  }
  return result;
}

/** Writes one source's inventory snapshot. */
export async function writeInventory(db: Db, sourceId: number, snap: InventorySnapshot, now: Date): Promise<InventoryWriteResult> {
  const res: InventoryWriteResult = { written: 0, deleted: 0 };
  const existing = new Map((await db.lambdaFunction.findMany({ where: { sourceId } })).map((f) => [f.name, f]));
  for (const f of snap.functions) {
    const data: Fields = {
      arn: f.arn,
      runtime: f.runtime ?? null,
      handler: f.handler ?? null,
      description: f.description ?? null,
      architecture: f.architecture,
      memoryMb: f.memoryMb,
      timeoutSec: f.timeoutSec,
      ephemeralMb: f.ephemeralMb,
      packageType: f.packageType,
      codeSizeBytes: BigInt(f.codeSizeBytes),
      layersJson: JSON.stringify(f.layers),
      tracingMode: f.tracingMode,
      vpcJson: f.vpc ? JSON.stringify(f.vpc) : null,
      logGroup: f.logGroup,
      logFormat: f.logFormat,
      dlqTargetArn: f.dlqTargetArn,
      lastModified: f.lastModified ? new Date(f.lastModified) : null,
      deletedAt: null,
    };
    if (f.detail) {
      Object.assign(data, {
        maxRetryAttempts: f.detail.maxRetryAttempts,
        maxEventAgeSec: f.detail.maxEventAgeSec,
        onSuccessDestination: f.detail.onSuccessDestination,
        onFailureDestination: f.detail.onFailureDestination,
        reservedConcurrency: f.detail.reservedConcurrency,
        tagsJson: sortedJson(f.detail.tags),
      });
    }
    const prev = existing.get(f.name);
    let fnId = prev?.id;
    if (differs(prev as Fields | undefined, data)) {
      const row = await db.lambdaFunction.upsert({
        where: { sourceId_name: { sourceId, name: f.name } },
        create: { sourceId, name: f.name, ...(data as object), firstSeenAt: now } as never,
        update: data as never,
      });
      fnId = row.id;
      res.written++;
    }
    if (!f.detail || fnId === undefined) continue;
    const d = f.detail;
    const versions = new Map((await db.functionVersion.findMany({ where: { functionId: fnId } })).map((v) => [v.version, v]));
    for (const v of d.versions) {
      const vd: Fields = { codeSha256: v.codeSha256 ?? null, runtime: v.runtime ?? null, architecture: v.architecture ?? null, memoryMb: v.memoryMb ?? null, description: v.description ?? null, lastModified: v.lastModified ? new Date(v.lastModified) : null, deletedAt: null };
      if (!differs(versions.get(v.version) as Fields | undefined, vd)) continue;
      await db.functionVersion.upsert({ where: { functionId_version: { functionId: fnId, version: v.version } }, create: { functionId: fnId, version: v.version, ...(vd as object) } as never, update: vd as never });
      res.written++;
    }
    const listed = new Set(d.versions.map((v) => v.version));
    const goneVersions = [...versions.values()].filter((v) => !listed.has(v.version) && !v.deletedAt).map((v) => v.id);
    if (goneVersions.length && d.versions.length) res.deleted += (await db.functionVersion.updateMany({ where: { id: { in: goneVersions } }, data: { deletedAt: now } })).count;

    const aliases = new Map((await db.functionAlias.findMany({ where: { functionId: fnId } })).map((a) => [a.name, a]));
    for (const a of d.aliases) {
      const ad: Fields = { functionVersion: a.functionVersion, routingJson: sortedJson(a.routing), description: a.description ?? null, deletedAt: null };
      if (!differs(aliases.get(a.name) as Fields | undefined, ad)) continue;
      await db.functionAlias.upsert({ where: { functionId_name: { functionId: fnId, name: a.name } }, create: { functionId: fnId, name: a.name, ...(ad as object) } as never, update: ad as never });
      res.written++;
    }
    const aliasNames = new Set(d.aliases.map((a) => a.name));
    const goneAliases = [...aliases.values()].filter((a) => !aliasNames.has(a.name) && !a.deletedAt).map((a) => a.id);
    if (goneAliases.length) res.deleted += (await db.functionAlias.updateMany({ where: { id: { in: goneAliases } }, data: { deletedAt: now } })).count;

    const pcs = new Map((await db.provisionedConcurrencyConfig.findMany({ where: { functionId: fnId } })).map((p) => [p.qualifier, p]));
    for (const p of d.provisioned) {
      const pd: Fields = { requested: p.requested, allocated: p.allocated, available: p.available, status: p.status, deletedAt: null };
      if (!differs(pcs.get(p.qualifier) as Fields | undefined, pd)) continue;
      await db.provisionedConcurrencyConfig.upsert({ where: { functionId_qualifier: { functionId: fnId, qualifier: p.qualifier } }, create: { functionId: fnId, qualifier: p.qualifier, ...(pd as object) } as never, update: pd as never });
      res.written++;
    }
    const pcNames = new Set(d.provisioned.map((p) => p.qualifier));
    const gonePc = [...pcs.values()].filter((p) => !pcNames.has(p.qualifier) && !p.deletedAt).map((p) => p.id);
    if (gonePc.length) res.deleted += (await db.provisionedConcurrencyConfig.updateMany({ where: { id: { in: gonePc } }, data: { deletedAt: now } })).count;
  }
  if (snap.functionsComplete) {
    const listed = new Set(snap.functions.map((f) => f.name));
    const gone = [...existing.values()].filter((f) => !listed.has(f.name) && !f.deletedAt).map((f) => f.id);
    if (gone.length) res.deleted += (await db.lambdaFunction.updateMany({ where: { id: { in: gone } }, data: { deletedAt: now } })).count;
  }

  const fnRows = await db.lambdaFunction.findMany({ where: { sourceId }, select: { id: true, name: true, dlqTargetArn: true, onFailureDestination: true, onSuccessDestination: true } });
  const fnIds = new Map(fnRows.map((f) => [f.name, f.id]));
  if (snap.mappings) {
    const prev = new Map((await db.eventSourceMapping.findMany({ where: { function: { sourceId } } })).map((m) => [m.uuid, m]));
    for (const m of snap.mappings) {
      const functionId = fnIds.get(m.functionName);
      if (functionId === undefined) continue;
      const md: Fields = { functionId, eventSourceArn: m.eventSourceArn, state: m.state, batchSize: m.batchSize ?? null, functionResponseTypes: JSON.stringify(m.functionResponseTypes), onFailureDestination: m.onFailureDestination ?? null, deletedAt: null };
      if (!differs(prev.get(m.uuid) as Fields | undefined, md)) continue;
      await db.eventSourceMapping.upsert({ where: { uuid: m.uuid }, create: { uuid: m.uuid, ...(md as object) } as never, update: md as never });
      res.written++;
    }
    const listed = new Set(snap.mappings.map((m) => m.uuid));
    const gone = [...prev.values()].filter((m) => !listed.has(m.uuid) && !m.deletedAt).map((m) => m.id);
    if (gone.length) res.deleted += (await db.eventSourceMapping.updateMany({ where: { id: { in: gone } }, data: { deletedAt: now } })).count;
  }

  if (snap.apis) {
    const prevApis = new Map((await db.api.findMany({ where: { sourceId }, include: { stages: true, routes: true } })).map((a) => [a.apiId, a]));
    for (const a of snap.apis) {
      const prev = prevApis.get(a.apiId);
      let apiDbId = prev?.id;
      const ad: Fields = { name: a.name, type: a.type, deletedAt: null };
      if (differs(prev as Fields | undefined, ad)) {
        apiDbId = (await db.api.upsert({ where: { sourceId_apiId: { sourceId, apiId: a.apiId } }, create: { sourceId, apiId: a.apiId, ...(ad as object) } as never, update: ad as never })).id;
        res.written++;
      }
      const stages = new Map((prev?.stages ?? []).map((s) => [s.stageName, s]));
      for (const s of a.stages) {
        const sd: Fields = {
          deploymentId: s.deploymentId ?? null,
          cacheEnabled: s.cacheEnabled,
          cacheSize: s.cacheSize ?? null,
          canaryPercent: s.canaryPercent ?? null,
          canaryDeploymentId: s.canaryDeploymentId ?? null,
          tracingEnabled: s.tracingEnabled,
          accessLogGroup: s.accessLogGroup ?? null,
          throttleRate: s.throttleRate ?? null,
          throttleBurst: s.throttleBurst ?? null,
          deletedAt: null,
        };
        if (!differs(stages.get(s.stageName) as Fields | undefined, sd)) continue;
        await db.apiStage.upsert({ where: { apiDbId_stageName: { apiDbId: apiDbId!, stageName: s.stageName } }, create: { apiDbId: apiDbId!, stageName: s.stageName, ...(sd as object) } as never, update: sd as never });
        res.written++;
      }
      const stageNames = new Set(a.stages.map((s) => s.stageName));
      const goneStages = [...stages.values()].filter((s) => !stageNames.has(s.stageName) && !s.deletedAt).map((s) => s.id);
      if (goneStages.length) res.deleted += (await db.apiStage.updateMany({ where: { id: { in: goneStages } }, data: { deletedAt: now } })).count;
      const routes = new Map((prev?.routes ?? []).map((r) => [r.routeKey, r]));
      for (const r of a.routes) {
        const rd: Fields = { functionName: r.functionName ?? null, functionArn: r.functionArn ?? null };
        if (!differs(routes.get(r.routeKey) as Fields | undefined, rd)) continue;
        await db.apiRoute.upsert({ where: { apiDbId_routeKey: { apiDbId: apiDbId!, routeKey: r.routeKey } }, create: { apiDbId: apiDbId!, routeKey: r.routeKey, ...(rd as object) } as never, update: rd as never });
        res.written++;
      }
      const routeKeys = new Set(a.routes.map((r) => r.routeKey));
      const goneRoutes = [...routes.values()].filter((r) => !routeKeys.has(r.routeKey)).map((r) => r.id);
      if (goneRoutes.length) res.deleted += (await db.apiRoute.deleteMany({ where: { id: { in: goneRoutes } } })).count;
    }
    const listed = new Set(snap.apis.map((a) => a.apiId));
    const gone = [...prevApis.values()].filter((a) => !listed.has(a.apiId) && !a.deletedAt).map((a) => a.id);
    if (gone.length) res.deleted += (await db.api.updateMany({ where: { id: { in: gone } }, data: { deletedAt: now } })).count;
  }

  if (snap.queues) {
    const detailDest = new Map(snap.functions.filter((f) => f.detail).map((f) => [f.name, f.detail!.destinations]));
    const roles = queueRoles(
      snap.queues,
      fnRows.map((f) => ({ name: f.name, dlqTargetArn: f.dlqTargetArn, destinations: detailDest.get(f.name) ?? [f.onFailureDestination, f.onSuccessDestination].filter((x): x is string => !!x) })),
      snap.mappings ?? (await db.eventSourceMapping.findMany({ where: { function: { sourceId }, deletedAt: null }, include: { function: { select: { name: true } } } })).map((m) => ({ functionName: m.function.name, eventSourceArn: m.eventSourceArn, onFailureDestination: m.onFailureDestination })),
      snap.queues,
    );
    const prev = new Map((await db.queue.findMany({ where: { sourceId } })).map((q) => [q.name, q]));
    for (const q of snap.queues) {
      const r = roles.get(q.arn) ?? { role: "other", feeds: [] };
      const qd: Fields = { url: q.url, arn: q.arn, role: r.role, feedsJson: JSON.stringify(r.feeds), redriveTargetArn: q.redriveTargetArn ?? null, maxReceiveCount: q.maxReceiveCount ?? null, deletedAt: null };
      if (!differs(prev.get(q.name) as Fields | undefined, qd)) continue;
      await db.queue.upsert({ where: { sourceId_name: { sourceId, name: q.name } }, create: { sourceId, name: q.name, ...(qd as object) } as never, update: qd as never });
      res.written++;
    }
    const listed = new Set(snap.queues.map((q) => q.name));
    const gone = [...prev.values()].filter((q) => !listed.has(q.name) && !q.deletedAt).map((q) => q.id);
    if (gone.length) res.deleted += (await db.queue.updateMany({ where: { id: { in: gone } }, data: { deletedAt: now } })).count;
  }

  if (snap.topics) {
    const prev = new Map((await db.topic.findMany({ where: { sourceId } })).map((t) => [t.arn, t]));
    for (const t of snap.topics) {
      const td: Fields = { name: t.name, deletedAt: null };
      if (!differs(prev.get(t.arn) as Fields | undefined, td)) continue;
      await db.topic.upsert({ where: { sourceId_arn: { sourceId, arn: t.arn } }, create: { sourceId, arn: t.arn, ...(td as object) } as never, update: td as never });
      res.written++;
    }
    const listed = new Set(snap.topics.map((t) => t.arn));
    const gone = [...prev.values()].filter((t) => !listed.has(t.arn) && !t.deletedAt).map((t) => t.id);
    if (gone.length) res.deleted += (await db.topic.updateMany({ where: { id: { in: gone } }, data: { deletedAt: now } })).count;
  }

  if (snap.rules) {
    const prev = new Map((await db.eventRule.findMany({ where: { sourceId } })).map((r) => [r.name, r]));
    for (const r of snap.rules) {
      const rd: Fields = { schedule: r.schedule ?? null, eventPattern: r.eventPattern ?? null, state: r.state, targetsJson: JSON.stringify(r.targets), deletedAt: null };
      if (!differs(prev.get(r.name) as Fields | undefined, rd)) continue;
      await db.eventRule.upsert({ where: { sourceId_name: { sourceId, name: r.name } }, create: { sourceId, name: r.name, ...(rd as object) } as never, update: rd as never });
      res.written++;
    }
    const listed = new Set(snap.rules.map((r) => r.name));
    const gone = [...prev.values()].filter((r) => !listed.has(r.name) && !r.deletedAt).map((r) => r.id);
    if (gone.length) res.deleted += (await db.eventRule.updateMany({ where: { id: { in: gone } }, data: { deletedAt: now } })).count;
  }
  return res;
}
