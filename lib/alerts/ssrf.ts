/**
 * SSRF guard for webhook URLs: every address a host name resolves to is classified, and
 * private, loopback, link-local, multicast, reserved and cloud metadata addresses (IPv4,
 * IPv6 and IPv4 embedded in IPv6) are refused unless the configuration allows them. The
 * vetted address is then pinned for the connection, so DNS cannot change in between.
 */
import dns from "node:dns";
import net from "node:net";
import type { AlertsConfig } from "./config.ts";

export type AddressCategory =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "shared"
  | "link-local"
  | "metadata"
  | "unique-local"
  | "multicast"
  | "documentation"
  | "reserved";

export interface AddressClass {
  address: string;
  family: 4 | 6;
  category: AddressCategory;
  /** The IPv4 address classified when `address` is IPv6 carrying one (mapped, NAT64, 6to4). */
  embeddedIPv4?: string;
}

/** Raised when a webhook URL is refused; the message says why and how to allow it. */
export class WebhookTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookTargetError";
  }
}

type Range4 = [number, number, AddressCategory];

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;

// Longest prefixes first where ranges nest (metadata inside link-local / shared).
const METADATA_V4 = new Set([v4(169, 254, 169, 254), v4(169, 254, 170, 2), v4(169, 254, 170, 23), v4(100, 100, 100, 200), v4(192, 0, 0, 192)]);
const RANGES_V4: Range4[] = [
  [v4(0, 0, 0, 0), 8, "unspecified"],
  [v4(10, 0, 0, 0), 8, "private"],
  [v4(100, 64, 0, 0), 10, "shared"],
  [v4(127, 0, 0, 0), 8, "loopback"],
  [v4(169, 254, 0, 0), 16, "link-local"],
  [v4(172, 16, 0, 0), 12, "private"],
  [v4(192, 0, 0, 0), 24, "reserved"],
  [v4(192, 0, 2, 0), 24, "documentation"],
  [v4(192, 88, 99, 0), 24, "reserved"],
  [v4(192, 168, 0, 0), 16, "private"],
  [v4(198, 18, 0, 0), 15, "reserved"],
  [v4(198, 51, 100, 0), 24, "documentation"],
  [v4(203, 0, 113, 0), 24, "documentation"],
  [v4(224, 0, 0, 0), 4, "multicast"],
  [v4(240, 0, 0, 0), 4, "reserved"],
];

function inPrefix4(ip: number, base: number, bits: number): boolean {
  if (bits === 0) return true;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return ((ip & mask) >>> 0) === ((base & mask) >>> 0);
}

/** Parses a dotted-quad IPv4 address into an unsigned 32-bit number (null when not one). */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let out = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out = out * 256 + n;
  }
  return out;
}

/** Parses an IPv6 address (with ::, an embedded dotted quad, or a %zone) into 8 16-bit groups. */
export function parseIPv6(text: string): number[] | null {
  let s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(":")) return null;
  const lastColon = s.lastIndexOf(":");
  const lastPart = s.slice(lastColon + 1);
  if (lastPart.includes(".")) {
    // An embedded dotted quad stands for the last two groups.
    const ip4 = parseIPv4(lastPart);
    if (ip4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(ip4 >>> 16).toString(16)}:${(ip4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const groups = part.split(":");
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]);
  const rest = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (head === null || rest === null) return null;
  const total = head.length + rest.length;
  if (halves.length === 1) return total === 8 ? head : null;
  if (total > 7) return null;
  return [...head, ...new Array<number>(8 - total).fill(0), ...rest];
}

function ipv4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function classify4(ip: number): AddressCategory {
  if (METADATA_V4.has(ip)) return "metadata";
  for (const [base, bits, category] of RANGES_V4) if (inPrefix4(ip, base, bits)) return category;
  return "public";
}

const METADATA_V6 = new Set(["fd00:ec2:0:0:0:0:0:254", "fd00:ec2:0:0:0:0:0:23"]);

function classify6(g: number[]): { category: AddressCategory; embedded?: number } {
  const key = g.map((x) => x.toString(16)).join(":");
  if (METADATA_V6.has(key)) return { category: "metadata" };
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embedded = (g[6] << 16) + g[7];
  if (zeroPrefix(8)) return { category: "unspecified" };
  if (zeroPrefix(7) && g[7] === 1) return { category: "loopback" };
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated), ::a.b.c.d (compatible, deprecated).
  if (zeroPrefix(5) && g[5] === 0xffff) return { category: classify4(embedded >>> 0), embedded: embedded >>> 0 };
  if (zeroPrefix(4) && g[4] === 0xffff && g[5] === 0) return { category: classify4(embedded >>> 0), embedded: embedded >>> 0 };
  if (zeroPrefix(6)) return { category: classify4(embedded >>> 0), embedded: embedded >>> 0 };
  // NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address; 64:ff9b:1::/48 is local use.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return { category: classify4(embedded >>> 0), embedded: embedded >>> 0 };
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return { category: "private" };
  if (g[0] === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return { category: "reserved" };
  if (g[0] === 0x2001 && g[1] === 0x0db8) return { category: "documentation" };
  if (g[0] === 0x2001 && g[1] === 0) return { category: "reserved" }; // Teredo: tunnels to an obfuscated IPv4 address
  if (g[0] === 0x2002) {
    const e = ((g[1] << 16) + g[2]) >>> 0;
    return { category: classify4(e), embedded: e };
  }
  if ((g[0] & 0xfe00) === 0xfc00) return { category: "unique-local" };
  if ((g[0] & 0xffc0) === 0xfe80) return { category: "link-local" };
  if ((g[0] & 0xffc0) === 0xfec0) return { category: "private" };
  if ((g[0] & 0xff00) === 0xff00) return { category: "multicast" };
  // Global unicast is 2000::/3; anything else is unallocated.
  if ((g[0] & 0xe000) === 0x2000) return { category: "public" };
  return { category: "reserved" };
}

/** Classifies an IP address (IPv4 or IPv6 text); null when the text is not an address. */
export function classifyAddress(address: string): AddressClass | null {
  const ip4 = parseIPv4(address);
  if (ip4 !== null) return { address, family: 4, category: classify4(ip4) };
  const groups = parseIPv6(address);
  if (!groups) return null;
  const c = classify6(groups);
  return { address, family: 6, category: c.category, ...(c.embedded !== undefined ? { embeddedIPv4: ipv4Text(c.embedded) } : {}) };
}

/** Whether an address is inside a CIDR ("10.0.0.0/8", "fd00::/8") or equals a bare address. */
export function cidrContains(cidr: string, address: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const a4 = parseIPv4(address);
  const b4 = parseIPv4(base);
  if (a4 !== null && b4 !== null) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    return Number.isInteger(bits) && bits >= 0 && bits <= 32 && inPrefix4(a4, b4, bits);
  }
  const a6 = parseIPv6(address);
  const b6 = parseIPv6(base);
  if (!a6 || !b6) return false;
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 128) return false;
  for (let i = 0; i < 8; i++) {
    const take = Math.max(0, Math.min(16, bits - i * 16));
    if (take === 0) break;
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((a6[i] & mask) !== (b6[i] & mask)) return false;
  }
  return true;
}

/** Categories the blanket override (FAASIGHT_WEBHOOK_ALLOW_PRIVATE) permits; metadata, multicast and the like need an explicit allowlist entry. */
const PRIVATE_OVERRIDABLE = new Set<AddressCategory>(["loopback", "private", "shared", "link-local", "unique-local"]);

/** Whether the configuration permits a non-public address for a host (pure). */
export function addressAllowed(cls: AddressClass, host: string, config: Pick<AlertsConfig, "allowPrivate" | "allowlist">): boolean {
  if (cls.category === "public") return true;
  const h = host.toLowerCase();
  for (const entry of config.allowlist) {
    if (entry === h) return true;
    if (entry.startsWith("*.") && h.endsWith(entry.slice(1))) return true;
    if ((entry.includes("/") || net.isIP(entry)) && (cidrContains(entry, cls.address) || (cls.embeddedIPv4 !== undefined && cidrContains(entry, cls.embeddedIPv4)))) return true;
  }
  return config.allowPrivate && PRIVATE_OVERRIDABLE.has(cls.category);
}

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address. */
export const systemResolver: Resolver = async (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export interface VettedTarget {
  url: URL;
  hostname: string;
  /** The address to connect to (every resolved address passed the guard). */
  address: string;
  family: 4 | 6;
  addresses: AddressClass[];
}

const describeCategory = (c: AddressClass) => `${c.category}${c.embeddedIPv4 ? ` (embeds ${c.embeddedIPv4})` : ""}`;

/** Checks a webhook URL: scheme, no credentials in it, and every resolved address; throws WebhookTargetError. */
export async function vetWebhookUrl(raw: string, config: Pick<AlertsConfig, "allowPrivate" | "allowlist">, resolve: Resolver = systemResolver): Promise<VettedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError("The webhook URL is not a valid URL.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new WebhookTargetError(`The webhook URL must use https (got ${url.protocol.replace(":", "")}).`);
  if (url.username || url.password) throw new WebhookTargetError("The webhook URL must not carry credentials; receivers verify the X-Faasight-Signature header instead.");
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  if (!hostname) throw new WebhookTargetError("The webhook URL has no host.");
  let resolved: Array<{ address: string; family: number }>;
  if (net.isIP(hostname)) resolved = [{ address: hostname, family: net.isIP(hostname) }];
  else {
    try {
      resolved = await resolve(hostname);
    } catch (err) {
      throw new WebhookTargetError(`The webhook host ${hostname} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
  }
  if (resolved.length === 0) throw new WebhookTargetError(`The webhook host ${hostname} does not resolve.`);
  const classes: AddressClass[] = [];
  let viaOverride = false;
  for (const r of resolved) {
    const cls = classifyAddress(r.address);
    if (!cls) throw new WebhookTargetError(`The webhook host ${hostname} resolved to an unreadable address.`);
    if (!addressAllowed(cls, hostname, config)) {
      throw new WebhookTargetError(
        `Refused: ${hostname} resolves to ${cls.address}, a ${describeCategory(cls)} address. Webhooks may only reach public addresses unless ` +
          (cls.category === "metadata" || !PRIVATE_OVERRIDABLE.has(cls.category)
            ? "the address or host is listed in FAASIGHT_WEBHOOK_ALLOWLIST."
            : "FAASIGHT_WEBHOOK_ALLOW_PRIVATE=1 is set or the host is listed in FAASIGHT_WEBHOOK_ALLOWLIST."),
      );
    }
    if (cls.category !== "public") viaOverride = true;
    classes.push(cls);
  }
  // Plain HTTP would carry alert data in clear across the internet; it is accepted only where the operator allowed a private receiver.
  if (url.protocol === "http:" && !viaOverride) throw new WebhookTargetError("The webhook URL must use https (plain http is accepted only for receivers allowed by FAASIGHT_WEBHOOK_ALLOW_PRIVATE or FAASIGHT_WEBHOOK_ALLOWLIST).");
  const first = classes[0];
  return { url, hostname, address: first.address, family: first.family, addresses: classes };
}
