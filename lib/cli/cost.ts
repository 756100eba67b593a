/** `faasight cost estimate`: the what-if calculator for one function's month, as JSON. */
import { CostInputError } from "../cost/input.ts";
import { estimateMonthlyCost } from "../cost/estimate.ts";
import { PriceNotAvailableError, PriceTableError } from "../cost/prices.ts";
import { parseOptions, UsageError } from "./args.ts";

const HELP = `Usage: faasight cost estimate --region <region> --arch <x86_64|arm64> --memory-mb <MB>
                               --requests <per month> --avg-billed-ms <ms>
                               [--ephemeral-mb <MB>]
                               [--provisioned-concurrency <N> --provisioned-hours <h>
                                [--provisioned-request-share <0..1>]]
                               [--free-tier]

Prints one month of one Lambda function's cost as JSON:
  { "requestsUsd", "computeUsd", "ephemeralUsd", "provisionedUsd", "totalUsd", "breakdown": [...] }
Volume tiers are applied as if the function were the account-region's only usage.
Amounts are exact until rounded to cents in the output; "microUsd" holds the unrounded figures.

Options:
  --region                     AWS region with a price table (us-east-1, us-west-2, eu-west-1,
                               eu-central-1, ap-southeast-1, ap-northeast-1, or one added by
                               the file named in FAASIGHT_PRICES_FILE)
  --arch                       x86_64 or arm64 (arm is also accepted for arm64)
  --memory-mb                  configured memory, 128-10240
  --requests                   invocations per month
  --avg-billed-ms              average Billed Duration per invocation (includes INIT)
  --ephemeral-mb               configured /tmp, 512-10240 (above 512 MB is charged)
  --provisioned-concurrency    provisioned environments
  --provisioned-hours          hours per month they are configured (730 = all month)
  --provisioned-request-share  share of requests arriving while configured (default hours/730)
  --free-tier                  apply the monthly free tier (1M requests, 400,000 GB-s)

Exit codes: 0 ok, 2 invalid input or price table.`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  region: { type: "string" },
  arch: { type: "string" },
  "memory-mb": { type: "string" },
  requests: { type: "string" },
  "avg-billed-ms": { type: "string" },
  "ephemeral-mb": { type: "string" },
  "provisioned-concurrency": { type: "string" },
  "provisioned-hours": { type: "string" },
  "provisioned-request-share": { type: "string" },
  "free-tier": { type: "boolean" },
} as const;

function numberOption(values: Record<string, unknown>, flag: string, required: boolean): number | undefined {
  const raw = values[flag];
  if (raw === undefined) {
    if (required) throw new UsageError(`--${flag} is required`);
    return undefined;
  }
  const text = String(raw).trim().replace(/_/g, "");
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`--${flag} must be a non-negative number (got "${raw}")`);
  return Number(text);
}

const FLAG_OF: Record<string, string> = {
  region: "--region",
  arch: "--arch",
  memoryMb: "--memory-mb",
  requests: "--requests",
  avgBilledMs: "--avg-billed-ms",
  ephemeralMb: "--ephemeral-mb",
  provisionedConcurrency: "--provisioned-concurrency",
  provisionedHours: "--provisioned-hours",
  provisionedRequestShare: "--provisioned-request-share",
};

/** Input errors name the CLI flag rather than the field ("--memory-mb: must be at least 128"). */
function flagNames(message: string): string {
  return message
    .replace(/(^|; )([a-zA-Z]+):/g, (all, sep: string, field: string) => (FLAG_OF[field] ? `${sep}${FLAG_OF[field]}:` : all))
    .replace(/\b[a-z]+[A-Z][a-zA-Z]*\b/g, (word) => FLAG_OF[word] ?? word);
}

function estimate(args: string[]): number {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.region) throw new UsageError("--region is required");
  if (!values.arch) throw new UsageError("--arch is required");
  const arch = values.arch === "arm" ? "arm64" : values.arch === "x86" ? "x86_64" : values.arch;
  const result = estimateMonthlyCost({
    region: values.region,
    arch: arch as "x86_64" | "arm64",
    memoryMb: numberOption(values, "memory-mb", true)!,
    requests: numberOption(values, "requests", true)!,
    avgBilledMs: numberOption(values, "avg-billed-ms", true)!,
    ephemeralMb: numberOption(values, "ephemeral-mb", false),
    provisionedConcurrency: numberOption(values, "provisioned-concurrency", false),
    provisionedHours: numberOption(values, "provisioned-hours", false),
    provisionedRequestShare: numberOption(values, "provisioned-request-share", false),
    freeTier: values["free-tier"] ?? false,
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
      process.stdout.write(`${HELP}\n`);
      return sub ? 0 : 2;
    }
    if (sub !== "estimate") throw new UsageError(`unknown subcommand "${sub}" (try: faasight cost estimate --help)`);
    return estimate(rest);
  } catch (err) {
    if (err instanceof CostInputError) {
      process.stderr.write(`faasight cost: ${flagNames(err.message)}\n`);
      return 2;
    }
    if (err instanceof UsageError || err instanceof PriceTableError || err instanceof PriceNotAvailableError) {
      process.stderr.write(`faasight cost: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
