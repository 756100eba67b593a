/** `faasight users …`: users, roles, passwords and API tokens from a terminal (audited as actor "cli"). */
import os from "node:os";
import { env as readEnv } from "../env.ts";
import { getDb, type Db } from "../db.ts";
import { migrateDatabase } from "../store/migrate.ts";
import { writeAudit } from "../auth/audit.ts";
import { generatePassword } from "../auth/password.ts";
import { isRole, ROLES } from "../auth/permissions.ts";
import {
  createApiToken,
  createUser,
  findUserByEmail,
  listApiTokens,
  listUsers,
  newTokenSchema,
  newUserSchema,
  resetPassword,
  revokeApiToken,
  updateUser,
  userChangeSchema,
  zodProblem,
  type PublicUser,
} from "../auth/users.ts";
import { parseOptions, UsageError } from "./args.ts";
import { table } from "./collect-common.ts";

const HELP = `Usage: faasight users <command> [options]

  list [--json]                                   every user (never a password hash)
  add EMAIL [--role viewer|operator|admin] [--password P]
                                                  create a user; without --password one is generated and printed once
  set-role EMAIL ROLE                             change a user's role (${ROLES.join(", ")})
  disable EMAIL | enable EMAIL                    disabling ends the user's sessions and tokens stop working
  reset-password EMAIL [--password P]             set a new password (generated and printed once when not given)
  tokens list [--json]                            API tokens by prefix
  tokens create EMAIL --name NAME [--expires-days N]
                                                  create an API token (Authorization: Bearer fsk_…); printed once
  tokens revoke ID                                revoke an API token

Uses DATABASE_URL (default file:./data/faasight.db). Every change is written to the audit log.
`;

const actor = () => `cli:${os.userInfo().username}`;

async function userOrFail(db: Db, email: string | undefined): Promise<PublicUser> {
  if (!email) throw new UsageError("give the user's email");
  const u = await findUserByEmail(db, email);
  if (!u) throw new UsageError(`no user with email ${email}`);
  return u;
}

function parsed<T>(r: { success: true; data: T } | { success: false; error: Parameters<typeof zodProblem>[0] }): T {
  if (!r.success) throw new UsageError(zodProblem(r.error));
  return r.data;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    help: { type: "boolean", short: "h" },
    json: { type: "boolean" },
    role: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    "expires-days": { type: "string" },
  });
  const [sub, a, b] = positionals;
  if (values.help || !sub) {
    process.stdout.write(HELP);
    return values.help ? 0 : 1;
  }
  const env = readEnv();
  await migrateDatabase(env.DATABASE_URL);
  const { db } = getDb();
  const audit = (action: string, resourceType: string, resourceId: number, details: Record<string, unknown>) =>
    writeAudit(db, { principal: null, actor: actor(), action, resourceType, resourceId, outcome: "ok", details });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    if (sub === "list") {
      const users = await listUsers(db);
      out(values.json ? JSON.stringify(users, null, 2) : table(["id", "email", "role", "created", "disabled"], users.map((u) => [u.id, u.email, u.role, u.createdAt, u.disabledAt ?? ""])));
      return 0;
    }
    if (sub === "add") {
      const generated = values.password === undefined;
      const password = values.password ?? generatePassword();
      const input = parsed(newUserSchema.safeParse({ email: a, password, role: values.role ?? "viewer", name: values.name }));
      const user = await createUser(db, input);
      await audit("user.create", "user", user.id, { email: user.email, role: user.role });
      out(`created ${user.email} (${user.role})${generated ? `\npassword: ${password}\n(shown once)` : ""}`);
      return 0;
    }
    if (sub === "set-role" || sub === "disable" || sub === "enable") {
      const u = await userOrFail(db, a);
      if (sub === "set-role" && !isRole(b)) throw new UsageError(`ROLE must be one of ${ROLES.join(", ")}`);
      const change = parsed(userChangeSchema.safeParse(sub === "set-role" ? { role: b } : { disabled: sub === "disable" }));
      const user = (await updateUser(db, u.id, change))!;
      await audit("user.update", "user", user.id, change);
      out(`${user.email}: role ${user.role}${user.disabledAt ? ", disabled" : ""}`);
      return 0;
    }
    if (sub === "reset-password") {
      const u = await userOrFail(db, a);
      if (values.password !== undefined) parsed(userChangeSchema.safeParse({ password: values.password }));
      const r = (await resetPassword(db, u.id, values.password))!;
      await audit("user.update", "user", u.id, { passwordChanged: true });
      out(`new password set for ${u.email}${values.password === undefined ? `\npassword: ${r.password}\n(shown once)` : ""}; their sessions were ended`);
      return 0;
    }
    if (sub === "tokens") {
      if (a === "list") {
        const tokens = await listApiTokens(db);
        out(values.json ? JSON.stringify(tokens, null, 2) : table(["id", "name", "prefix", "user", "created", "last used", "expires", "revoked"], tokens.map((t) => [t.id, t.name, `${t.prefix}…`, t.userEmail, t.createdAt, t.lastUsedAt ?? "", t.expiresAt ?? "", t.revokedAt ?? ""])));
        return 0;
      }
      if (a === "create") {
        const u = await userOrFail(db, b);
        const days = values["expires-days"] === undefined ? undefined : Number(values["expires-days"]);
        const input = parsed(newTokenSchema.safeParse({ name: values.name, expiresInDays: days }));
        const created = await createApiToken(db, { userId: u.id, name: input.name, expiresInDays: input.expiresInDays });
        await audit("token.create", "api_token", created.info.id, { name: created.info.name, prefix: created.info.prefix, userId: u.id });
        out(`token ${created.info.id} for ${u.email} (${u.role}):\n${created.token}\n(shown once; send it as Authorization: Bearer …)`);
        return 0;
      }
      if (a === "revoke") {
        const id = Number(b);
        if (!Number.isInteger(id) || id <= 0) throw new UsageError("tokens revoke needs the token's numeric id (faasight users tokens list)");
        const t = await revokeApiToken(db, id);
        if (!t) throw new UsageError(`no API token ${id}`);
        await audit("token.revoke", "api_token", id, { prefix: t.prefix, userId: t.userId });
        out(`revoked token ${id} (${t.prefix}…)`);
        return 0;
      }
      throw new UsageError(`unknown tokens subcommand "${a ?? ""}" (list, create, revoke)`);
    }
    throw new UsageError(`unknown subcommand "${sub}"\n\n${HELP}`);
  } finally {
    await db.$disconnect();
  }
}
