/**
 * Permissions are data: scopes are `resource:action`, roles map to scope lists.
 * Viewers read; operators also replay and acknowledge; admins manage everything.
 */

export const SCOPES = [
  "dashboard:read",
  "failures:read",
  "failures:replay",
  "alerts:read",
  "alerts:acknowledge",
  "alerts:manage",
  "channels:manage",
  "reports:read",
  "reports:manage",
  "sources:manage",
  "users:manage",
  "tokens:manage",
  "audit:read",
] as const;

export type Scope = (typeof SCOPES)[number];
export type Role = "viewer" | "operator" | "admin";
export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

const VIEWER: Scope[] = ["dashboard:read", "failures:read", "alerts:read", "reports:read"];
const OPERATOR: Scope[] = [...VIEWER, "failures:replay", "alerts:acknowledge", "tokens:manage"];

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  viewer: VIEWER,
  operator: OPERATOR,
  admin: [...SCOPES],
};

export interface Principal {
  userId: number;
  email: string;
  role: Role;
  /** How the request authenticated: a browser session or an API token. */
  via: "session" | "token";
}

/** Raised when the principal lacks a scope; routes answer 403. */
export class ForbiddenError extends Error {
  constructor(public readonly scope: Scope) {
    super(`This action needs the "${scope}" permission.`);
    this.name = "ForbiddenError";
  }
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether a role grants a scope. */
export function hasScope(role: Role, scope: Scope): boolean {
  return ROLE_SCOPES[role].includes(scope);
}

/** Throws ForbiddenError unless the principal's role grants the scope. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!hasScope(principal.role, scope)) throw new ForbiddenError(scope);
}
