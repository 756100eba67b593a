/**
 * docs/iam/replay-policy.json grants exactly what lib/replay sends: every AWS SDK command
 * imported under lib/replay maps to an IAM action the policy allows, and the policy allows
 * nothing the code does not use. Batch operations are authorised by their single action.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PREFIX: Record<string, string> = { lambda: "lambda", sqs: "sqs" };
/** SDK operations whose IAM action has another name. */
const ACTION_OF: Record<string, string> = {
  "lambda:Invoke": "lambda:InvokeFunction",
  "sqs:SendMessageBatch": "sqs:SendMessage",
  "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
};

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path.join(dir, e.name)] : []));
}

/** IAM action -> the files whose SDK commands need it. */
function actionsUsedBy(files: { path: string; text: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const importRe = /import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g;
  for (const f of files) {
    for (const m of f.text.matchAll(importRe)) {
      for (const raw of m[1]!.split(",")) {
        const item = raw.trim();
        if (item === "" || item.startsWith("type ")) continue;
        const op = /^(\w+)Command$/.exec(item.split(/\s+as\s+/)[0]!)?.[1] ?? /^paginate(\w+)$/.exec(item)?.[1];
        if (!op) continue;
        const prefix = PREFIX[m[2]!];
        if (!prefix) throw new Error(`${f.path}: lib/replay should not need @aws-sdk/client-${m[2]}`);
        const action = ACTION_OF[`${prefix}:${op}`] ?? `${prefix}:${op}`;
        out.set(action, [...(out.get(action) ?? []), f.path]);
      }
    }
  }
  return out;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

const policy = JSON.parse(fs.readFileSync(path.join(ROOT, "docs/iam/replay-policy.json"), "utf8")) as { Version: string; Statement: Statement[] };
const granted = new Set(policy.Statement.flatMap((s) => [s.Action].flat()));
const used = actionsUsedBy(sourceFiles("lib/replay").map((p) => ({ path: p, text: fs.readFileSync(path.join(ROOT, p), "utf8") })));

describe("replay IAM policy", () => {
  it("the scan finds commands, maps Invoke and batch operations, and skips type imports", () => {
    const sample = actionsUsedBy([
      {
        path: "x.ts",
        text: 'import {\n  InvokeCommand,\n  type InvokeCommandInput,\n} from "@aws-sdk/client-lambda";\nimport { DeleteMessageBatchCommand, type Message } from "@aws-sdk/client-sqs";',
      },
    ]);
    expect([...sample.keys()].sort()).toEqual(["lambda:InvokeFunction", "sqs:DeleteMessage"]);
    expect(used.has("lambda:InvokeFunction")).toBe(true);
    expect(used.has("sqs:StartMessageMoveTask")).toBe(true);
  });

  it("grants exactly the actions lib/replay uses", () => {
    expect([...granted].sort()).toEqual([...used.keys()].sort());
  });

  it("only allows, and keeps Lambda to invoking functions", () => {
    expect(policy.Version).toBe("2012-10-17");
    for (const s of policy.Statement) expect(s.Effect).toBe("Allow");
    const lambda = policy.Statement.find((s) => [s.Action].flat().some((a) => a.startsWith("lambda:")))!;
    expect([lambda.Action].flat()).toEqual(["lambda:InvokeFunction"]);
    expect([lambda.Resource].flat()).toEqual(["arn:aws:lambda:*:*:function:*"]);
  });
});
