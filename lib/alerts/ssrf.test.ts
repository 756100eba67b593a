import { describe, expect, it } from "vitest";
import { addressAllowed, cidrContains, classifyAddress, parseIPv6, vetWebhookUrl, WebhookTargetError, type AddressCategory, type Resolver } from "./ssrf.ts";
import { alertsConfig } from "./config.ts";

describe("classifyAddress", () => {
  it.each<[string, AddressCategory, string?]>([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["172.15.255.255", "public"],
    ["192.168.1.10", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["100.128.0.1", "public"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["169.254.1.1", "link-local"],
    ["100.100.100.200", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.1", "documentation"],
    ["8.8.8.8", "public"],
    ["52.94.236.248", "public"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["::ffff:127.0.0.1", "loopback", "127.0.0.1"],
    ["::ffff:7f00:1", "loopback", "127.0.0.1"],
    ["::ffff:10.1.2.3", "private", "10.1.2.3"],
    ["::ffff:169.254.169.254", "metadata", "169.254.169.254"],
    ["::ffff:8.8.8.8", "public", "8.8.8.8"],
    ["64:ff9b::a9fe:a9fe", "metadata", "169.254.169.254"],
    ["2002:7f00:1::", "loopback", "127.0.0.1"],
    ["fd00::1", "unique-local"],
    ["fd12:3456:789a::1", "unique-local"],
    ["fc00::1", "unique-local"],
    ["fd00:ec2::254", "metadata"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"],
    ["2606:4700:4700::1111", "public"],
    ["2a05:d018:1234::5", "public"],
  ])("%s is %s", (ip, category, embedded) => {
    const c = classifyAddress(ip);
    expect(c?.category).toBe(category);
    if (embedded) expect(c?.embeddedIPv4).toBe(embedded);
  });

  it.each(["", "localhost", "1.2.3", "1.2.3.256", "::g", "1:2:3:4:5:6:7:8:9", "1::2::3"])("%j is not an address", (text) => {
    expect(classifyAddress(text)).toBeNull();
  });

  it("parses IPv6 forms into 8 groups", () => {
    expect(parseIPv6("2001:db8::1")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIPv6("[::1]")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe("cidrContains", () => {
  it.each<[string, string, boolean]>([
    ["10.0.0.0/8", "10.20.30.40", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["172.16.0.0/12", "172.31.0.1", true],
    ["192.168.1.5", "192.168.1.5", true],
    ["fd00::/8", "fd12::1", true],
    ["fd00::/8", "fe80::1", false],
    ["0.0.0.0/0", "8.8.8.8", true],
    ["10.0.0.0/33", "10.0.0.1", false],
  ])("%s contains %s: %s", (cidr, ip, expected) => expect(cidrContains(cidr, ip)).toBe(expected));
});

describe("addressAllowed", () => {
  const none = { allowPrivate: false, allowlist: [] as string[] };
  it("public addresses always pass; others only when configured", () => {
    expect(addressAllowed(classifyAddress("8.8.8.8")!, "x.example", none)).toBe(true);
    expect(addressAllowed(classifyAddress("127.0.0.1")!, "localhost", none)).toBe(false);
    expect(addressAllowed(classifyAddress("127.0.0.1")!, "localhost", { allowPrivate: true, allowlist: [] })).toBe(true);
    expect(addressAllowed(classifyAddress("10.1.2.3")!, "hooks.internal", { allowPrivate: false, allowlist: ["hooks.internal"] })).toBe(true);
    expect(addressAllowed(classifyAddress("10.1.2.3")!, "a.corp.example", { allowPrivate: false, allowlist: ["*.corp.example"] })).toBe(true);
    expect(addressAllowed(classifyAddress("10.1.2.3")!, "other", { allowPrivate: false, allowlist: ["10.1.0.0/16"] })).toBe(true);
    expect(addressAllowed(classifyAddress("10.2.0.1")!, "other", { allowPrivate: false, allowlist: ["10.1.0.0/16"] })).toBe(false);
  });
  it("the blanket override does not open metadata or multicast addresses", () => {
    const open = { allowPrivate: true, allowlist: [] as string[] };
    expect(addressAllowed(classifyAddress("169.254.169.254")!, "x", open)).toBe(false);
    expect(addressAllowed(classifyAddress("fd00:ec2::254")!, "x", open)).toBe(false);
    expect(addressAllowed(classifyAddress("224.0.0.1")!, "x", open)).toBe(false);
    expect(addressAllowed(classifyAddress("169.254.169.254")!, "x", { allowPrivate: false, allowlist: ["169.254.169.254"] })).toBe(true);
  });
});

describe("vetWebhookUrl", () => {
  const config = { allowPrivate: false, allowlist: [] as string[] };
  const resolver =
    (map: Record<string, string[]>): Resolver =>
    async (host) => {
      const list = map[host];
      if (!list) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
      return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    };

  it("accepts https to public addresses and pins the first", async () => {
    const v = await vetWebhookUrl("https://hooks.example.com/x?y=1", config, resolver({ "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"] }));
    expect(v.address).toBe("93.184.216.34");
    expect(v.family).toBe(4);
    expect(v.hostname).toBe("hooks.example.com");
  });

  it.each([
    ["http://127.0.0.1:8080/hook", /loopback/],
    ["https://[::1]/hook", /loopback/],
    ["https://[::ffff:127.0.0.1]/hook", /loopback/],
    ["https://169.254.169.254/latest/meta-data", /metadata/],
    ["https://2130706433/", /loopback/],
    ["https://0x7f.1/", /loopback/],
    ["https://rebind.example/", /private/],
    ["https://mixed.example/", /private/],
    ["ftp://hooks.example.com/", /https/],
    ["https://user:pw@hooks.example.com/", /credentials/],
    ["http://hooks.example.com/", /https/],
    ["https://nowhere.example/", /does not resolve/],
    ["not a url", /not a valid URL/],
  ])("refuses %s", async (url, message) => {
    const r = resolver({ "rebind.example": ["10.0.0.5"], "mixed.example": ["93.184.216.34", "192.168.0.10"], "hooks.example.com": ["93.184.216.34"] });
    await expect(vetWebhookUrl(url, config, r)).rejects.toThrow(WebhookTargetError);
    await expect(vetWebhookUrl(url, config, r)).rejects.toThrow(message);
  });

  it("allows a private receiver, even over http, when configured", async () => {
    const v = await vetWebhookUrl("http://127.0.0.1:9000/hook", { allowPrivate: true, allowlist: [] }, resolver({}));
    expect(v.address).toBe("127.0.0.1");
    await expect(vetWebhookUrl("http://hooks.internal/", { allowPrivate: false, allowlist: ["hooks.internal"] }, resolver({ "hooks.internal": ["10.9.8.7"] }))).resolves.toMatchObject({ address: "10.9.8.7" });
  });
});

describe("alertsConfig", () => {
  it("reads the environment record", () => {
    expect(alertsConfig({})).toMatchObject({ allowPrivate: false, allowlist: [], webhookTimeoutMs: 5000, webhookMaxAttempts: 3, disableAfterFailures: 5 });
    expect(alertsConfig({ FAASIGHT_WEBHOOK_ALLOW_PRIVATE: "1", FAASIGHT_WEBHOOK_ALLOWLIST: " Hooks.Internal , 10.0.0.0/8,", FAASIGHT_CHANNEL_DISABLE_AFTER: "2" })).toMatchObject({
      allowPrivate: true,
      allowlist: ["hooks.internal", "10.0.0.0/8"],
      disableAfterFailures: 2,
    });
    expect(() => alertsConfig({ FAASIGHT_WEBHOOK_MAX_ATTEMPTS: "zero" })).toThrow(/FAASIGHT_WEBHOOK_MAX_ATTEMPTS/);
  });
});
