/** `faasight sandbox`: serves the local AWS-compatible endpoint with simulated Lambda invocations. */
import fs from "node:fs";
import type { FaultConfig } from "../sandbox/core.ts";
import { startSandbox } from "../sandbox/server.ts";
import { simulatedInvocationRunner } from "../simulate/runner.ts";
import { parseOptions, UsageError } from "./args.ts";

const HELP = `Usage: faasight sandbox [options]

Serves a local AWS-compatible endpoint (CloudWatch, CloudWatch Logs, X-Ray, SQS, SNS,
Lambda, API Gateway, EventBridge, STS). Lambda Invoke runs the simulated workload model.
Point SDKs at it with AWS_ENDPOINT_URL; feed it with \`faasight simulate\`.

Options:
  --port N          port (default: FAASIGHT_SANDBOX_PORT or 4566; 0 = any free port)
  --host HOST       interface (default: 127.0.0.1)
  --state FILE      snapshot file: loaded at start, saved while running and on exit
                    (default: FAASIGHT_SANDBOX_STATE)
  --seed N          seed of the sandbox's own random choices (default: 1)
  --faults JSON     fault injection, JSON or @file: {"*": {"throttleRate": 0.1}, "logs:FilterLogEvents": {"pageSize": 5}}
  -h, --help        show this help`;

/** Runs the command; returns the exit code once the server stops. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    port: { type: "string" },
    host: { type: "string" },
    state: { type: "string" },
    seed: { type: "string" },
    faults: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const portText = values.port ?? process.env.FAASIGHT_SANDBOX_PORT ?? "4566";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${values.port !== undefined ? "--port" : "FAASIGHT_SANDBOX_PORT"} must be 0..65535, got "${portText}"`);
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError("--seed must be an integer");
  let faults: FaultConfig | undefined;
  if (values.faults !== undefined) {
    const text = values.faults.startsWith("@") ? fs.readFileSync(values.faults.slice(1), "utf8") : values.faults;
    try {
      faults = JSON.parse(text) as FaultConfig;
    } catch {
      throw new UsageError("--faults must be a JSON object (or @file) keyed by *, service or service:Operation");
    }
    if (!faults || typeof faults !== "object" || Array.isArray(faults)) throw new UsageError("--faults must be a JSON object");
  }
  const statePath = values.state ?? (process.env.FAASIGHT_SANDBOX_STATE || undefined);
  const sandbox = await startSandbox({
    port,
    host: values.host ?? "127.0.0.1",
    statePath,
    seed,
    faults,
    runInvocation: simulatedInvocationRunner,
    log: (line) => process.stderr.write(line + "\n"),
  });
  process.stdout.write(`${sandbox.url}\n`);
  process.stderr.write(`faasight sandbox listening on ${sandbox.url}${statePath ? ` (state: ${statePath})` : ""}; Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.stderr.write("faasight sandbox: stopping\n");
  await sandbox.close();
  return 0;
}
