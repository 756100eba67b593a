/**
 * AWS clients for the sources failed events came from: each Source row's region, endpoint
 * and role (as collected), with the standard credential chain, or the sandbox's placeholder
 * credentials when none are configured. For API routes and the CLI.
 */
import type { Db } from "../db.ts";
import { env as readEnv } from "../env.ts";
import { createAwsClients, type AwsClients } from "../aws/clients.ts";
import { hasAwsCredentials, targetOf } from "../worker/sources.ts";
import type { ReplayClients } from "./context.ts";

/** Opens lazily-built clients per source; call destroy() when done. */
export async function openSourceClients(db: Db, processEnv: Record<string, string | undefined> = process.env): Promise<{ clients: ReplayClients; destroy(): void }> {
  const staticCredentials = !hasAwsCredentials(readEnv(), processEnv);
  const rows = new Map((await db.source.findMany()).map((s) => [s.id, s]));
  const made = new Map<number, AwsClients>();
  return {
    clients: (source) => {
      let c = made.get(source.id);
      if (!c) {
        const row = rows.get(source.id);
        const target = targetOf(
          {
            name: source.name,
            region: source.region,
            enabled: true,
            ...(row?.endpoint ? { endpoint: row.endpoint } : {}),
            ...(row?.roleArn ? { roleArn: row.roleArn } : {}),
            ...(row?.externalId ? { externalId: row.externalId } : {}),
          },
          staticCredentials,
        );
        made.set(source.id, (c = createAwsClients(target)));
      }
      return c;
    },
    destroy: () => {
      for (const c of made.values()) c.destroy();
      made.clear();
    },
  };
}
