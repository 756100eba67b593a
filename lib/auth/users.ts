/**
 * Users and API tokens: the operations behind `faasight users`, the Users & API tokens page
 * and /api/v1/users, /api/v1/tokens. Inputs are zod-validated; outputs never carry a
 * password hash or a token value (a new token's value is returned once, by createApiToken).
 */
import { z } from "zod";
import type { Db } from "../db.ts";
import { generatePassword, hashPassword, passwordProblem } from "./password.ts";
import { ROLES, isRole, type Role } from "./permissions.ts";
import { newApiToken } from "./tokens.ts";

const email = z
  .string({ error: "email is required" })
  .trim()
  .toLowerCase()
  .max(254, "email is too long")
  .regex(/^[^\s@]+@[^\s@]+$/, "email must look like name@domain");
const password = z.string({ error: "password is required" }).superRefine((v, ctx) => {
  const problem = passwordProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const role = z.enum(ROLES as [Role, ...Role[]], { error: () => `role must be one of ${ROLES.join(", ")}` });

export const newUserSchema = z.strictObject({ email, password, role: role.default("viewer"), name: z.string().trim().max(120).optional() });
export const userChangeSchema = z
  .strictObject({ role: role.optional(), disabled: z.boolean().optional(), password: password.optional(), name: z.string().trim().max(120).optional() })
  .refine((v) => Object.keys(v).length > 0, "send at least one of role, disabled, password, name");
export const newTokenSchema = z.strictObject({
  name: z.string({ error: "name is required" }).trim().min(1, "name is required").max(100, "name is too long"),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  /** Admins may create a token for another user; defaults to the caller. */
  userId: z.number().int().positive().optional(),
});

/** The message of the first zod issue, prefixed by its field. */
export function zodProblem(err: z.ZodError): string {
  const i = err.issues[0];
  if (!i) return "invalid input";
  return i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message;
}

export interface PublicUser {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  createdAt: string;
  disabledAt: string | null;
}

export interface PublicToken {
  id: number;
  name: string;
  prefix: string;
  userId: number;
  userEmail: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

type UserRow = { id: number; email: string; name: string | null; role: string; createdAt: Date; disabledAt: Date | null };

/** A user row without its password hash. */
export function publicUser(u: UserRow): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: isRole(u.role) ? u.role : "viewer", createdAt: u.createdAt.toISOString(), disabledAt: u.disabledAt?.toISOString() ?? null };
}

const USER_FIELDS = { id: true, email: true, name: true, role: true, createdAt: true, disabledAt: true } as const;

export class UserExistsError extends Error {
  constructor(emailAddress: string) {
    super(`a user with email ${emailAddress} already exists`);
    this.name = "UserExistsError";
  }
}

export class LastAdminError extends Error {
  constructor() {
    super("this is the last active admin: make another user admin first");
    this.name = "LastAdminError";
  }
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  return (await db.user.findMany({ select: USER_FIELDS, orderBy: { id: "asc" } })).map(publicUser);
}

export async function findUserByEmail(db: Db, address: string): Promise<PublicUser | null> {
  const u = await db.user.findUnique({ where: { email: address.trim().toLowerCase() }, select: USER_FIELDS });
  return u ? publicUser(u) : null;
}

/** Creates a user; throws UserExistsError when the email is taken. */
export async function createUser(db: Db, input: z.infer<typeof newUserSchema>): Promise<PublicUser> {
  if (await db.user.findUnique({ where: { email: input.email }, select: { id: true } })) throw new UserExistsError(input.email);
  const passwordHash = await hashPassword(input.password);
  const u = await db.user.create({ data: { email: input.email, passwordHash, role: input.role, name: input.name }, select: USER_FIELDS });
  return publicUser(u);
}

async function otherActiveAdmins(db: Db, id: number): Promise<number> {
  return db.user.count({ where: { role: "admin", disabledAt: null, id: { not: id } } });
}

/**
 * Changes role, disabled state, password or name. Disabling a user or changing a password
 * ends their sessions; the last active admin cannot be demoted or disabled. Null when unknown.
 */
export async function updateUser(db: Db, id: number, change: z.infer<typeof userChangeSchema>): Promise<PublicUser | null> {
  const current = await db.user.findUnique({ where: { id }, select: USER_FIELDS });
  if (!current) return null;
  const losesAdmin = current.role === "admin" && !current.disabledAt && ((change.role && change.role !== "admin") || change.disabled === true);
  if (losesAdmin && (await otherActiveAdmins(db, id)) === 0) throw new LastAdminError();
  const data: { role?: string; disabledAt?: Date | null; passwordHash?: string; name?: string } = {};
  if (change.role) data.role = change.role;
  if (change.disabled !== undefined) data.disabledAt = change.disabled ? (current.disabledAt ?? new Date()) : null;
  if (change.password) data.passwordHash = await hashPassword(change.password);
  if (change.name !== undefined) data.name = change.name;
  const u = await db.user.update({ where: { id }, data, select: USER_FIELDS });
  if (change.disabled || change.password) await db.session.deleteMany({ where: { userId: id } });
  return publicUser(u);
}

/** Sets a new password (generated when not given); returns it so the caller can show it once. */
export async function resetPassword(db: Db, id: number, newPassword?: string): Promise<{ user: PublicUser; password: string } | null> {
  const pw = newPassword ?? generatePassword();
  const user = await updateUser(db, id, { password: pw });
  return user ? { user, password: pw } : null;
}

type TokenRow = { id: number; name: string; prefix: string; userId: number; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null; user: { email: string } };

function publicToken(t: TokenRow): PublicToken {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    userId: t.userId,
    userEmail: t.user.email,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

const TOKEN_FIELDS = { id: true, name: true, prefix: true, userId: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true, user: { select: { email: true } } } as const;

/** API tokens by prefix only (all users' when userId is undefined). */
export async function listApiTokens(db: Db, userId?: number): Promise<PublicToken[]> {
  return (await db.apiToken.findMany({ where: userId === undefined ? {} : { userId }, select: TOKEN_FIELDS, orderBy: { id: "asc" } })).map(publicToken);
}

/** Creates an API token for a user; the returned `token` is the only time the value is visible. */
export async function createApiToken(db: Db, input: { userId: number; name: string; expiresInDays?: number; now?: Date }): Promise<{ token: string; info: PublicToken }> {
  const t = newApiToken();
  const now = input.now ?? new Date();
  const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
  const row = await db.apiToken.create({ data: { name: input.name, tokenHash: t.hash, prefix: t.prefix, userId: input.userId, expiresAt }, select: TOKEN_FIELDS });
  return { token: t.token, info: publicToken(row) };
}

/** Revokes a token (idempotent). Null when unknown or, with `ownerId`, not that user's. */
export async function revokeApiToken(db: Db, id: number, ownerId?: number): Promise<PublicToken | null> {
  const row = await db.apiToken.findUnique({ where: { id }, select: TOKEN_FIELDS });
  if (!row || (ownerId !== undefined && row.userId !== ownerId)) return null;
  if (row.revokedAt) return publicToken(row);
  return publicToken(await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() }, select: TOKEN_FIELDS }));
}

export interface FirstAdmin {
  created: boolean;
  email: string;
  /** Set only when the password was generated here: print it once, never store or log it. */
  generatedPassword?: string;
}

/**
 * First run: when the store has no user at all, creates an admin with the given password or
 * a generated one. Does nothing when any user exists.
 */
export async function ensureFirstAdmin(db: Db, input: { email: string; password?: string }): Promise<FirstAdmin> {
  const address = email.parse(input.email);
  if ((await db.user.count()) > 0) return { created: false, email: address };
  const pw = input.password ?? generatePassword();
  if (input.password) {
    const problem = passwordProblem(input.password);
    if (problem) throw new Error(`FAASIGHT_ADMIN_PASSWORD: ${problem}`);
  }
  try {
    await createUser(db, { email: address, password: pw, role: "admin" });
  } catch (err) {
    // Another process (web and demo starting together) created it first.
    if ((await db.user.count()) > 0) return { created: false, email: address };
    throw err;
  }
  return { created: true, email: address, generatedPassword: input.password ? undefined : pw };
}
