/**
 * Two ways to the same bill, shown side by side: the exact cost from invocation rows
 * (REPORT lines: Billed Duration x memory, INIT included since 1 Aug 2025) and an estimate
 * from CloudWatch metrics (Duration sum + Invocations + an INIT estimate), with the
 * difference explained.
 */
import { integerInput, nonNegativeInput } from "./input.ts";
import { lambdaComputeCost, lambdaRequestCost, MB_MS_PER_GB_SECOND } from "./lambda.ts";
import { formatUsd, toMicroUsd } from "./money.ts";
import type { Architecture, RegionPrices } from "./price-schema.ts";
import { Rational, type Quantity } from "./rational.ts";

export interface ReconcileInput {
  arch: Architecture;
  /** Configured memory (used for the metrics estimate, and for rows when mbMs is not given). */
  memoryMb: number;
  fromRows: {
    invocations: Quantity;
    /** Sum of Billed Duration (ms). */
    billedMs: Quantity;
    /** Sum of billed ms x memory MB, when memory changed within the period. */
    mbMs?: Quantity;
  };
  fromMetrics: {
    /** AWS/Lambda Invocations, Sum. */
    invocations: Quantity;
    /** AWS/Lambda Duration, Sum (ms; excludes INIT, not rounded). */
    durationSumMs: Quantity;
    /** Cold starts and their average Init Duration, to estimate the billed INIT phase. */
    coldStarts?: Quantity;
    avgInitMs?: Quantity;
  };
  /** Expected round-up per invocation from Duration to Billed Duration (default 0.5 ms). */
  roundingMsPerInvocation?: Quantity;
  tierOffsetGbSeconds?: Quantity;
}

export interface Reconciliation {
  exact: { invocations: number; billedMs: number; gbSeconds: number; microUsd: bigint };
  estimate: { invocations: number; durationSumMs: number; roundingAllowanceMs: number; initEstimateMs: number; billedMs: number; gbSeconds: number; microUsd: bigint };
  /** estimate - exact. */
  differenceMicroUsd: bigint;
  /** Of the exact figure, percent (null when exact is zero). */
  differencePct: number | null;
  explanation: string[];
}

const fmt = (r: Rational, places = 1) => Number(r.toDecimal(places)).toLocaleString("en-US");

/** Exact (rows) vs estimated (metrics) cost for one function and period, with the difference explained. */
export function reconcileInvocationCost(prices: RegionPrices, input: ReconcileInput): Reconciliation {
  const memoryMb = integerInput(input.memoryMb, "memoryMb", 128n);
  const rowsInvocations = integerInput(input.fromRows.invocations, "fromRows.invocations");
  const rowsBilledMs = integerInput(input.fromRows.billedMs, "fromRows.billedMs");
  const rowsMbMs = input.fromRows.mbMs !== undefined ? integerInput(input.fromRows.mbMs, "fromRows.mbMs") : rowsBilledMs * memoryMb;
  const metricInvocations = integerInput(input.fromMetrics.invocations, "fromMetrics.invocations");
  const durationSum = nonNegativeInput(input.fromMetrics.durationSumMs, "fromMetrics.durationSumMs");
  const coldStarts = integerInput(input.fromMetrics.coldStarts ?? 0, "fromMetrics.coldStarts");
  const avgInit = nonNegativeInput(input.fromMetrics.avgInitMs ?? 0, "fromMetrics.avgInitMs");
  const rounding = nonNegativeInput(input.roundingMsPerInvocation ?? "0.5", "roundingMsPerInvocation");

  const price = (invocations: bigint, gbSeconds: Rational) => {
    const compute = lambdaComputeCost(prices, { arch: input.arch, gbSeconds, tierOffsetGbSeconds: input.tierOffsetGbSeconds });
    const requests = lambdaRequestCost(prices, { requests: invocations });
    return { compute, requests, exact: compute.exactUsd.add(requests.exactUsd) };
  };
  const exactGbSeconds = Rational.from(rowsMbMs, MB_MS_PER_GB_SECOND);
  const exact = price(rowsInvocations, exactGbSeconds);
  const roundingMs = rounding.mul(metricInvocations);
  const initMs = avgInit.mul(coldStarts);
  const estBilledMs = durationSum.add(roundingMs).add(initMs);
  const estGbSeconds = estBilledMs.mul(memoryMb).div(MB_MS_PER_GB_SECOND);
  const estimate = price(metricInvocations, estGbSeconds);
  const exactMicro = toMicroUsd(exact.exact);
  const estimateMicro = toMicroUsd(estimate.exact);
  const diff = estimateMicro - exactMicro;

  const explanation: string[] = [
    `From logs: ${rowsInvocations.toLocaleString("en-US")} invocations, ${rowsBilledMs.toLocaleString("en-US")} billed ms (Billed Duration is rounded up to 1 ms per invocation and, since 1 Aug 2025, includes the INIT phase of on-demand functions) = ${fmt(exactGbSeconds, 3)} GB-s: ${formatUsd(exactMicro)}.`,
    `From metrics: ${metricInvocations.toLocaleString("en-US")} invocations; Duration sum ${fmt(durationSum)} ms (excludes INIT, not rounded) + ${fmt(roundingMs)} ms rounding allowance (${rounding} ms per invocation) + ${fmt(initMs)} ms INIT estimate (${coldStarts} cold starts x ${fmt(avgInit)} ms) = ${fmt(estBilledMs)} ms x ${memoryMb} MB = ${fmt(estGbSeconds, 3)} GB-s: ${formatUsd(estimateMicro)}.`,
  ];
  if (metricInvocations !== rowsInvocations) {
    const delta = metricInvocations - rowsInvocations;
    const reqEffect = toMicroUsd(estimate.requests.exactUsd.sub(exact.requests.exactUsd));
    explanation.push(
      `Metrics count ${delta > 0n ? delta : -delta} ${delta > 0n ? "more" : "fewer"} invocations than the collected REPORT lines (${formatUsd(reqEffect, { decimals: 6 })} in request charges alone): ` +
        (delta > 0n
          ? "log events that have not been collected yet (CloudWatch Logs can arrive minutes after metrics), a gap in log collection, or log lines lost to a full /tmp or a crash before REPORT."
          : "invocations just outside the metric window, or duplicated rows (retries share a request id)."),
    );
  }
  if (rowsInvocations > 0n && metricInvocations > 0n) {
    const perExact = Rational.from(rowsBilledMs, rowsInvocations);
    const perEst = estBilledMs.div(metricInvocations);
    const residual = perExact.sub(perEst);
    if (!residual.isZero()) {
      explanation.push(
        `Per invocation, logs show ${fmt(perExact, 2)} billed ms and the metrics model ${fmt(perEst, 2)} ms; the ${fmt(residual.isNegative() ? residual.neg() : residual, 2)} ms ${residual.isNegative() ? "over-estimate" : "under-estimate"} is not explained by rounding or INIT: ` +
          "the cold-start count or average Init Duration may be off, SnapStart Restore Duration and extension shutdown time are billed but not in Duration, or memory changed during the period.",
      );
    }
  }
  explanation.push(
    diff === 0n
      ? "The two figures agree to the micro-dollar."
      : `The metrics estimate is ${formatUsd(diff < 0n ? -diff : diff, { decimals: 4 })} ${diff > 0n ? "above" : "below"} the exact figure; the exact figure (from logs) is the one Faasight reports.`,
  );
  return {
    exact: { invocations: Number(rowsInvocations), billedMs: Number(rowsBilledMs), gbSeconds: exactGbSeconds.toNumber(), microUsd: exactMicro },
    estimate: {
      invocations: Number(metricInvocations),
      durationSumMs: durationSum.toNumber(),
      roundingAllowanceMs: roundingMs.toNumber(),
      initEstimateMs: initMs.toNumber(),
      billedMs: estBilledMs.toNumber(),
      gbSeconds: estGbSeconds.toNumber(),
      microUsd: estimateMicro,
    },
    differenceMicroUsd: diff,
    differencePct: exactMicro === 0n ? null : Number(Rational.from(diff * 10000n, exactMicro).roundHalfUp()) / 100,
    explanation,
  };
}
