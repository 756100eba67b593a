import { defineConfig } from "@playwright/test";
import { AUTH, E2E_ADMIN_PASSWORD } from "./test/e2e/helpers.ts";

const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "test/e2e",
  outputDir: "test-results/e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // Signs in as admin through the real login API and creates the operator and viewer users.
  globalSetup: "./test/e2e/global-setup.ts",
  reporter: [["list"], ["html", { open: "never", outputFolder: "test-results/playwright-report" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Every spec runs signed in as admin unless it says otherwise (test.use({ storageState: AUTH.operator.storageState })).
    storageState: AUTH.admin.storageState,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    // Builds when needed, prepares a store with demo data, then serves it.
    command: `node bin/faasight.js demo --port ${port} --sandbox-port 0 --database file:./test-results/e2e/faasight.db --fresh --no-live --truth test-results/e2e/truth.json`,
    url: `http://127.0.0.1:${port}/api/v1/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    // The first-run admin of the fresh store gets this password (global-setup signs in with it);
    // the alerts spec receives webhooks on 127.0.0.1, which the SSRF guard refuses unless allowlisted.
    env: { FAASIGHT_ADMIN_EMAIL: AUTH.admin.email, FAASIGHT_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD, FAASIGHT_WEBHOOK_ALLOWLIST: "127.0.0.1" },
    stdout: "pipe",
    stderr: "pipe",
  },
});
