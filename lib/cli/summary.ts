/** `faasight summary`: the figures an engineer wants in a terminal, read from the store. */
import { env as readEnv } from "../env.ts";
import { getDb } from "../db.ts";
import { migrateDatabase } from "../store/migrate.ts";
import { getSummary, type Summary } from "../queries/summary/get-summary.ts";
import { parseDuration, parseOptions, UsageError } from "./args.ts";
import { table } from "./collect-common.ts";

const HELP = `Usage: faasight summary [--since 2h] [--source NAME] [--json]

Per function and qualifier ($ALL, $LATEST / versions from REPORT lines, aliases from the
Resource=fn:alias metrics), per API stage, and per DLQ / destination queue.
Alias rows carry invocations, errors and throttles only ("-": not knowable from AWS data).

  --since DUR    window ending now (default 2h)
  --source NAME  one source only
  --json         one JSON document {"functions": [...], "stages": [...], "dlqs": [...]}
`;

/** The JSON document of `summary --json` (issue's shape; the listed keys first). */
export function summaryJson(s: Summary): object {
  return {
    functions: s.functions.map((f) => ({
      name: f.name,
      qualifier: f.qualifier,
      invocations: f.invocations,
      errors: f.errors,
      throttles: f.throttles,
      timeouts: f.timeouts,
      coldStarts: f.coldStarts,
      billedMs: f.billedMs,
      gbSeconds: f.gbSeconds,
      p50Ms: f.p50Ms,
      p99Ms: f.p99Ms,
      kind: f.kind,
      oomKills: f.oomKills,
      errorsByType: f.errorsByType,
      malformedLines: f.malformedLines,
    })),
    stages: s.stages.map((x) => ({
      api: x.api,
      stage: x.stage,
      requests: x.requests,
      status4xx: x.status4xx,
      status5xx: x.status5xx,
      apiType: x.apiType,
      byStatus: x.byStatus,
      cacheHits: x.cacheHits,
      cacheMisses: x.cacheMisses,
    })),
    dlqs: s.dlqs.map((d) => ({ queue: d.queue, depth: d.depth, kind: d.kind, visible: d.visible, inFlight: d.inFlight, captured: d.captured, linked: d.linked, oldestAgeSec: d.oldestAgeSec, checkedAt: d.checkedAt })),
  };
}

/** The aligned-table rendering. */
export function summaryText(s: Summary): string {
  const f = table(
    ["function", "qualifier", "invocations", "errors", "throttles", "timeouts", "coldStarts", "billedMs", "gbSeconds", "p50Ms", "p99Ms"],
    s.functions.map((r) => [r.name, r.qualifier, r.invocations, r.errors, r.throttles, r.timeouts, r.coldStarts, r.billedMs, r.gbSeconds === null ? null : Number(r.gbSeconds.toFixed(3)), r.p50Ms === null ? null : Number(r.p50Ms.toFixed(1)), r.p99Ms === null ? null : Number(r.p99Ms.toFixed(1))]),
  );
  const st = table(["api", "stage", "requests", "status4xx", "status5xx", "byStatus"], s.stages.map((r) => [r.api, r.stage, r.requests, r.status4xx, r.status5xx, Object.entries(r.byStatus).filter(([k]) => Number(k) >= 400).map(([k, v]) => `${k}:${v}`).join(" ") || "-"]));
  const d = table(["queue", "kind", "depth", "captured", "linked", "oldestAgeSec"], s.dlqs.map((r) => [r.queue, r.kind, r.depth, r.captured, r.linked, r.oldestAgeSec]));
  return [`Window ${s.window.from} .. ${s.window.to}`, "", f || "(no functions)", "", st, "", d].join("\n");
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    help: { type: "boolean", short: "h" },
    since: { type: "string" },
    source: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const env = readEnv();
  await migrateDatabase(env.DATABASE_URL);
  const { db } = getDb();
  try {
    const now = Date.now();
    const from = new Date(Math.floor((now - parseDuration(values.since ?? "2h")) / 60_000) * 60_000);
    const to = new Date(Math.ceil((now + 1) / 60_000) * 60_000);
    let sourceId: number | undefined;
    if (values.source) {
      const s = await db.source.findUnique({ where: { name: values.source } });
      if (!s) throw new UsageError(`no source named "${values.source}"`);
      sourceId = s.id;
    }
    const summary = await getSummary(db, { from, to, sourceId });
    process.stdout.write(values.json ? JSON.stringify(summaryJson(summary)) + "\n" : summaryText(summary) + "\n");
    return 0;
  } finally {
    await db.$disconnect();
  }
}
