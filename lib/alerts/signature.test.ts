import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkWebhookSignature, computeSignature, signWebhookBody, verifyWebhookSignature } from "./signature.ts";

const secret = "whsec_test_0123456789abcdef";
const body = '{"version":1,"state":"firing"}';

describe("webhook signatures", () => {
  it("is HMAC-SHA256 of '<t>.<body>' in hex", () => {
    const expected = crypto.createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(computeSignature(secret, 1700000000, body)).toBe(expected);
    expect(signWebhookBody(secret, body, 1700000000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it("verifies a fresh signature and rejects tampering", () => {
    const header = signWebhookBody(secret, body);
    expect(verifyWebhookSignature(secret, header, body, 300)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body.replace("firing", "resolved"), 300)).toBe(false);
    expect(verifyWebhookSignature("another-secret-value", header, body, 300)).toBe(false);
  });

  const now = 1_700_000_000;
  const good = signWebhookBody(secret, body, now);
  it.each<[string, string | null | undefined, number, string]>([
    ["valid", good, now, "ok"],
    ["valid at the edge of the tolerance", good, now + 300, "ok"],
    ["too old", good, now + 301, "expired"],
    ["from the future", good, now - 301, "expired"],
    ["missing", undefined, now, "malformed"],
    ["empty", "", now, "malformed"],
    ["no timestamp", good.replace(/^t=\d+,/, ""), now, "malformed"],
    ["no v1", `t=${now}`, now, "malformed"],
    ["short hex", `t=${now},v1=abcd`, now, "malformed"],
    ["wrong signature", `t=${now},v1=${"0".repeat(64)}`, now, "mismatch"],
    ["signed timestamp altered", good.replace(`t=${now}`, `t=${now + 1}`), now, "mismatch"],
    ["rotation: one of several v1 matches", `t=${now},v1=${"0".repeat(64)},${good.split(",")[1]}`, now, "ok"],
    ["uppercase hex", good.toUpperCase().replace("T=", "t=").replace("V1=", "v1="), now, "ok"],
  ])("%s", (_name, header, at, expected) => {
    const r = checkWebhookSignature(secret, header, body, 300, at);
    expect(r.ok ? "ok" : r.reason).toBe(expected);
  });

  it("tolerance 0 disables the age check", () => {
    expect(checkWebhookSignature(secret, good, body, 0, now + 10_000).ok).toBe(true);
  });
});
