/**
 * Signs in as the first-run admin through the real login API, creates the operator and viewer
 * users through the real users API, and saves each one's session as a storage state.
 */
import fs from "node:fs";
import path from "node:path";
import { request, type FullConfig } from "@playwright/test";
import { AUTH, type E2eUser } from "./helpers.ts";

async function signIn(baseURL: string, user: E2eUser): Promise<string> {
  const ctx = await request.newContext({ baseURL });
  try {
    const res = await ctx.post("/api/v1/auth/login", { data: { email: user.email, password: user.password } });
    if (!res.ok()) throw new Error(`global-setup: signing in as ${user.email} answered ${res.status()}: ${await res.text()}`);
    fs.mkdirSync(path.dirname(user.storageState), { recursive: true });
    const state = await ctx.storageState({ path: user.storageState });
    return state.cookies.find((c) => c.name === "faasight_csrf")?.value ?? "";
  } finally {
    await ctx.dispose();
  }
}

export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]!.use.baseURL!;
  const csrf = await signIn(baseURL, AUTH.admin);
  const admin = await request.newContext({ baseURL, storageState: AUTH.admin.storageState, extraHTTPHeaders: { "x-csrf-token": csrf } });
  try {
    for (const user of [AUTH.operator, AUTH.viewer]) {
      const res = await admin.post("/api/v1/users", { data: { email: user.email, password: user.password, role: user.role } });
      if (res.status() === 409) {
        // Left over from an earlier run on the same store: bring it back to the expected state.
        const list = (await (await admin.get("/api/v1/users")).json()) as { users: Array<{ id: number; email: string }> };
        const id = list.users.find((u) => u.email === user.email)!.id;
        const patch = await admin.patch(`/api/v1/users/${id}`, { data: { password: user.password, role: user.role, disabled: false } });
        if (!patch.ok()) throw new Error(`global-setup: updating ${user.email} answered ${patch.status()}: ${await patch.text()}`);
      } else if (res.status() !== 201) {
        throw new Error(`global-setup: creating ${user.email} answered ${res.status()}: ${await res.text()}`);
      }
      await signIn(baseURL, user);
    }
  } finally {
    await admin.dispose();
  }
}
