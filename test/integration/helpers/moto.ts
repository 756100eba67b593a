/**
 * moto, the independent AWS emulator: the server CI starts (MOTO_URL), or one started
 * here on a free port. Null when python3 with moto is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";

export interface MotoServer {
  url: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitReady(url: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto did not start at ${url}`);
}

/** A moto server with a clean state, or null when moto is unavailable on this machine. */
export async function startMoto(): Promise<MotoServer | null> {
  const reset = async (url: string) => {
    await fetch(`${url}/moto-api/reset`, { method: "POST" });
    await fetch(`${url}/moto-api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ lambda: { use_docker: false } }) });
  };
  const external = process.env.MOTO_URL;
  if (external) {
    await waitReady(external);
    await reset(external);
    return { url: external, reset: () => reset(external), stop: async () => {} };
  }
  if (spawnSync("python3", ["-c", "import moto.server"], { stdio: "ignore" }).status !== 0) return null;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  await waitReady(url, child);
  await reset(url);
  return {
    url,
    reset: () => reset(url),
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
