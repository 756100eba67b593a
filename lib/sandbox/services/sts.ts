/**
 * AWS STS over awsQuery: GetCallerIdentity, AssumeRole (with external-id checks, for
 * cross-account collection) and GetSessionToken. Credentials it issues are remembered,
 * so GetCallerIdentity signed with them answers as the assumed role, in its account.
 */
import { createHash } from "node:crypto";
import { AwsServiceError, type SandboxContext, type SandboxRequest, type SandboxService } from "../core.ts";
import { queryProtocol, type QueryParams } from "../protocols.ts";

/** IAM user id of the sandbox's default caller. */
export function sandboxUserId(accountId: string): string {
  return `AIDA${accountId}SANDB`;
}

interface Session {
  accountId: string;
  arn: string;
  userId: string;
  expiresAt: number;
}

interface RoleConfig {
  externalId?: string;
  maxSessionDurationSeconds?: number;
}

interface StsState {
  /** Access key id -> identity of temporary credentials the sandbox issued. */
  sessions: Record<string, Session>;
  roles: Record<string, RoleConfig>;
}

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const DEFAULT_MAX_SESSION_SECONDS = 3600;
const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** A record without a prototype, so user-chosen keys such as "constructor" or "__proto__" are plain keys. */
function dict<T>(entries?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of Object.entries(entries ?? {})) out[k] = v;
  return out;
}

const stsError = (code: string, message: string, status = 400) => new AwsServiceError(code, message, status, { fault: "Sender" });

/** The STS service of the sandbox. */
export class StsService implements SandboxService {
  readonly signingName: string;
  readonly matches: SandboxService["matches"];
  readonly resolve: SandboxService["resolve"];
  readonly renderError: SandboxService["renderError"];
  readonly throttlingError: SandboxService["throttlingError"];

  private state: StsState = { sessions: dict(), roles: dict() };

  constructor(private readonly ctx: SandboxContext) {
    const proto = queryProtocol({
      signingName: "sts",
      xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
      throttlingError: () => stsError("Throttling", "Rate exceeded"),
      operations: {
        GetCallerIdentity: (_p, _ctx, req) => this.getCallerIdentity(req),
        AssumeRole: (p, _ctx, req) => this.assumeRole(p, req),
        GetSessionToken: (p, _ctx, req) => this.getSessionToken(p, req),
      },
    });
    this.signingName = proto.signingName;
    this.matches = proto.matches;
    this.resolve = proto.resolve;
    this.renderError = proto.renderError;
    this.throttlingError = proto.throttlingError;
  }

  /** Makes AssumeRole on `roleArn` succeed only with this ExternalId (AccessDenied otherwise). */
  requireExternalId(roleArn: string, externalId: string): void {
    this.configureRole(roleArn, { externalId });
  }

  /** Registers how a role may be assumed: its external id and MaxSessionDuration (default 1 h). */
  configureRole(roleArn: string, config: RoleConfig): void {
    this.state.roles[roleArn] = { ...this.state.roles[roleArn], ...config };
    this.ctx.touch();
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    const s = structuredClone(state as StsState);
    this.state = { sessions: dict(s.sessions), roles: dict(s.roles) };
  }

  private caller(req: SandboxRequest): Session {
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? "")?.[1];
    const session = accessKeyId ? this.state.sessions[accessKeyId] : undefined;
    if (session) {
      if (session.expiresAt <= this.ctx.now()) throw stsError("ExpiredToken", "The security token included in the request is expired", 403);
      return session;
    }
    const accountId = this.ctx.accountId;
    return { accountId, arn: `arn:aws:iam::${accountId}:user/sandbox`, userId: sandboxUserId(accountId), expiresAt: Infinity };
  }

  private getCallerIdentity(req: SandboxRequest) {
    const caller = this.caller(req);
    return { UserId: caller.userId, Account: caller.accountId, Arn: caller.arn };
  }

  private assumeRole(p: QueryParams, req: SandboxRequest) {
    const roleArn = p.get("RoleArn") ?? "";
    const sessionName = p.get("RoleSessionName") ?? "";
    const role = ROLE_ARN.exec(roleArn);
    if (!role) throw stsError("ValidationError", `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be a valid IAM role ARN`);
    if (!SESSION_NAME.test(sessionName)) {
      throw stsError("ValidationError", `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    const externalId = p.get("ExternalId");
    if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
      throw stsError("ValidationError", `1 validation error detected: Value '${externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`);
    }
    const config = this.state.roles[roleArn] ?? {};
    const duration = this.durationSeconds(p, 3600, config.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS);
    const caller = this.caller(req);
    if (config.externalId !== undefined && config.externalId !== externalId) {
      throw stsError("AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    }
    const [, accountId, , roleName] = role;
    const roleId = `AROA${stableId(roleArn, 17)}`;
    const arn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
    const credentials = this.issue({ accountId: accountId!, arn, userId: `${roleId}:${sessionName}` }, duration);
    const sourceIdentity = p.get("SourceIdentity");
    return {
      Credentials: credentials,
      AssumedRoleUser: { AssumedRoleId: `${roleId}:${sessionName}`, Arn: arn },
      ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
    };
  }

  private getSessionToken(p: QueryParams, req: SandboxRequest) {
    const caller = this.caller(req);
    if (caller.arn.includes(":assumed-role/")) throw stsError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403);
    const duration = this.durationSeconds(p, 43_200, 129_600);
    return { Credentials: this.issue({ accountId: caller.accountId, arn: caller.arn, userId: caller.userId }, duration) };
  }

  private durationSeconds(p: QueryParams, fallback: number, max: number): number {
    const raw = p.get("DurationSeconds");
    if (raw === undefined) return Math.min(fallback, max);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 900 || n > 43_200 * 3) {
      throw stsError("ValidationError", `1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
    }
    if (n > max) throw stsError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    return n;
  }

  private issue(identity: Omit<Session, "expiresAt">, durationSeconds: number) {
    const expiresAt = this.ctx.now() + durationSeconds * 1000;
    const AccessKeyId = `ASIA${this.chars(UPPER_ALNUM, 16)}`;
    this.state.sessions[AccessKeyId] = { ...identity, expiresAt };
    this.pruneSessions();
    this.ctx.touch();
    return {
      AccessKeyId,
      SecretAccessKey: this.chars(BASE64, 40),
      SessionToken: `IQoJb3JpZ2luX2Vj${this.chars(BASE64, 340)}`,
      Expiration: new Date(expiresAt),
    };
  }

  /** Forgets credentials a day after they expire (until then they answer ExpiredToken). */
  private pruneSessions(): void {
    const horizon = this.ctx.now() - 86_400_000;
    for (const [key, s] of Object.entries(this.state.sessions)) if (s.expiresAt <= horizon) delete this.state.sessions[key];
  }

  private chars(alphabet: string, n: number): string {
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.ctx.random() * alphabet.length)];
    return out;
  }
}

/** A stable id (AWS unique ids are 21 upper-case characters) derived from a resource name. */
function stableId(name: string, length: number): string {
  const digest = createHash("sha256").update(name).digest();
  let out = "";
  for (let i = 0; i < length; i++) out += UPPER_ALNUM[digest[i]! % UPPER_ALNUM.length];
  return out;
}
