/**
 * docs/iam/collector-policy.json grants exactly what the collectors send: every AWS SDK
 * command (XCommand or paginateX) imported under lib/collect, lib/worker and lib/aws maps
 * to an IAM action the policy allows, and the policy allows nothing the code does not use.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DIRS = ["lib/collect", "lib/worker", "lib/aws"];

// SDK package -> IAM service prefix.
const PREFIX: Record<string, string> = {
  lambda: "lambda",
  sqs: "sqs",
  sns: "sns",
  eventbridge: "events",
  cloudwatch: "cloudwatch",
  "cloudwatch-logs": "logs",
  xray: "xray",
  "api-gateway": "apigateway",
  apigatewayv2: "apigateway",
  sts: "sts",
};
// Operations AWS authorises without any IAM permission.
const NO_PERMISSION = new Set(["sts:GetCallerIdentity"]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

/** IAM actions the code needs, with the file that needs each. */
function actionsUsedBy(files: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const importRe = /import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g;
  for (const f of files) {
    const text = fs.readFileSync(path.join(ROOT, f), "utf8");
    for (const m of text.matchAll(importRe)) {
      const prefix = PREFIX[m[2]!];
      for (const raw of m[1]!.split(",")) {
        const name = raw.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!.trim();
        if (raw.trim().startsWith("type ")) continue;
        const op = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (!op) continue;
        if (!prefix) throw new Error(`${f}: no IAM prefix known for @aws-sdk/client-${m[2]}`);
        // API Gateway authorises HTTP verbs on resource paths, not operation names.
        const action = prefix === "apigateway" ? (op.startsWith("Get") ? "apigateway:GET" : `apigateway:${op}`) : `${prefix}:${op}`;
        if (!NO_PERMISSION.has(action)) out.set(action, f);
      }
    }
    // Cross-account sources assume a role through the credential provider.
    if (/fromTemporaryCredentials\s*\(/.test(text)) out.set("sts:AssumeRole", f);
  }
  return out;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

const policy = JSON.parse(fs.readFileSync(path.join(ROOT, "docs/iam/collector-policy.json"), "utf8")) as { Version: string; Statement: Statement[] };
const granted = new Map<string, Statement>();
for (const s of policy.Statement) for (const a of [s.Action].flat()) granted.set(a, s);

describe("collector IAM policy", () => {
  const used = actionsUsedBy(DIRS.flatMap(sourceFiles));

  it("finds the collectors' commands (the scan works)", () => {
    for (const a of ["logs:FilterLogEvents", "cloudwatch:GetMetricData", "xray:BatchGetTraces", "lambda:ListFunctions", "sqs:ReceiveMessage", "apigateway:GET", "sts:AssumeRole"]) expect(used.has(a), a).toBe(true);
  });

  it("grants every action the code uses", () => {
    const missing = [...used].filter(([a]) => !granted.has(a)).map(([a, f]) => `${a} (${f})`);
    expect(missing).toEqual([]);
  });

  it("grants no action the code does not use", () => {
    expect([...granted.keys()].filter((a) => !used.has(a))).toEqual([]);
  });

  it("is read-only apart from capturing DLQ messages, allows only, and keeps AssumeRole in its own statement", () => {
    expect(policy.Version).toBe("2012-10-17");
    for (const s of policy.Statement) expect(s.Effect).toBe("Allow");
    const writeLike = [...granted.keys()].filter((a) => !/:(Get|List|Describe|Filter|BatchGet|GET)/.test(a));
    expect(writeLike.sort()).toEqual(["sqs:ReceiveMessage", "sts:AssumeRole"]);
    const assume = policy.Statement.filter((s) => [s.Action].flat().includes("sts:AssumeRole"));
    expect(assume).toHaveLength(1);
    expect([assume[0]!.Action].flat()).toEqual(["sts:AssumeRole"]);
    const apigw = granted.get("apigateway:GET")!;
    expect([apigw.Resource].flat().sort()).toEqual(["arn:aws:apigateway:*::/apis", "arn:aws:apigateway:*::/apis/*", "arn:aws:apigateway:*::/restapis", "arn:aws:apigateway:*::/restapis/*"]);
  });
});
