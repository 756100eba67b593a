import fs from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";

export const SCREENSHOTS = "test-results/screenshots";
export const TRUTH_FILE = process.env.FAASIGHT_TRUTH_FILE ?? "test-results/e2e/truth.json";

/** Waits until every chart has drawn (recharts measures on the client first). */
export async function chartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const boxes = document.querySelectorAll(".recharts-responsive-container").length;
    return document.querySelectorAll(".recharts-surface").length >= boxes;
  });
}

/** A full-page screenshot under test-results/screenshots/, once the page has settled. */
export async function shot(page: Page, name: string): Promise<void> {
  await chartsDrawn(page);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // The sticky header would otherwise be painted where the page was scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

interface TruthCounters {
  invocations: number;
  errors: number;
  throttles: number;
  timeouts: number;
  coldStarts: number;
  billedMs: number;
  gbSeconds: number;
}
export interface Truth {
  window: { start: string; end: string };
  functions: Array<TruthCounters & { name: string; qualifier: string; p50Ms: number | null; p99Ms: number | null }>;
  minutes: Array<TruthCounters & { minute: string; name: string; qualifier: string }>;
  stages: Array<{ api: string; stage: string; requests: number; status4xx: number; status5xx: number; byStatus: Record<string, number> }>;
  queues: Array<{ queue: string; kind: string; messages: number; depth: number }>;
}

/** The simulator's ground truth written by the demo. */
export function readTruth(): Truth {
  expect(fs.existsSync(TRUTH_FILE), `the demo writes the ground truth to ${TRUTH_FILE}`).toBe(true);
  return JSON.parse(fs.readFileSync(TRUTH_FILE, "utf8")) as Truth;
}

/**
 * The minute-aligned span of the truth's window, as the dashboard's custom from/to. In live
 * mode the simulator keeps extending the window; the store catches up within a worker cycle,
 * so callers poll until the two agree.
 */
export function truthRange(t: Truth): { from: string; to: string; fromMs: number; toMs: number } {
  const fromMs = Math.ceil(Date.parse(t.window.start) / 60_000) * 60_000;
  const toMs = Math.floor(Date.parse(t.window.end) / 60_000) * 60_000;
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 16)}Z`;
  return { from: iso(fromMs), to: iso(toMs), fromMs, toMs };
}

/** Sums a counter of the truth's minute rows of one function/qualifier within [fromMs, toMs). */
export function truthSum(t: Truth, name: string, qualifier: string, key: keyof TruthCounters, fromMs: number, toMs: number): number {
  let s = 0;
  for (const m of t.minutes) {
    const at = Date.parse(m.minute);
    if (m.name === name && m.qualifier === qualifier && at >= fromMs && at < toMs) s += m[key];
  }
  return s;
}

/** "12,345" -> 12345. */
export function num(text: string | null): number {
  return Number((text ?? "").replace(/[^\d.-]/g, ""));
}

/** How long a truth comparison may wait for the worker to collect the newest minutes. */
export const CATCH_UP_MS = 150_000;

/** The first-run admin's password in the e2e server (playwright.config.ts sets FAASIGHT_ADMIN_PASSWORD). */
export const E2E_ADMIN_PASSWORD = "e2e-admin-password-0001";

export interface E2eUser {
  email: string;
  password: string;
  role: "admin" | "operator" | "viewer";
  /** Saved by global-setup.ts; pass to test.use({ storageState }). */
  storageState: string;
}

/** The signed-in users every spec can use; global-setup.ts creates them and saves their sessions. */
export const AUTH = {
  admin: { email: "admin@faasight.local", password: E2E_ADMIN_PASSWORD, role: "admin", storageState: "test-results/e2e/.auth/admin.json" },
  operator: { email: "operator@faasight.local", password: "e2e-operator-password-0001", role: "operator", storageState: "test-results/e2e/.auth/operator.json" },
  viewer: { email: "viewer@faasight.local", password: "e2e-viewer-password-0001", role: "viewer", storageState: "test-results/e2e/.auth/viewer.json" },
} as const satisfies Record<string, E2eUser>;

/** The CSRF token of a saved storage state (the readable faasight_csrf cookie), for API calls with x-csrf-token. */
export function csrfOf(storageStatePath: string): string {
  const state = JSON.parse(fs.readFileSync(storageStatePath, "utf8")) as { cookies: Array<{ name: string; value: string }> };
  return state.cookies.find((c) => c.name === "faasight_csrf")?.value ?? "";
}
