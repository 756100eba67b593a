import { describe, expect, it } from "vitest";
import { decryptSecret, deriveChannelKey, encryptSecret, newWebhookSecret, SecretDecryptError } from "./secrets.ts";

describe("channel secrets at rest", () => {
  const key = deriveChannelKey("an instance secret of at least thirty-two characters");

  it("round-trips and never stores the plaintext", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const stored = encryptSecret(key, secret);
    expect(stored).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(secret.slice(6));
    expect(decryptSecret(key, stored)).toBe(secret);
    // Random IVs: the same secret encrypts differently each time.
    expect(encryptSecret(key, secret)).not.toBe(stored);
  });

  it("derives a stable 256-bit key per instance secret", () => {
    expect(deriveChannelKey("x".repeat(32)).equals(deriveChannelKey("x".repeat(32)))).toBe(true);
    expect(deriveChannelKey("x".repeat(32)).equals(deriveChannelKey("y".repeat(32)))).toBe(false);
    expect(key.length).toBe(32);
  });

  it.each([
    ["another key", (s: string) => ({ key: deriveChannelKey("another instance secret, also long enough"), text: s })],
    ["a flipped byte", (s: string) => ({ key, text: s.slice(0, -2) + (s.at(-2) === "A" ? "B" : "A") + s.at(-1) })],
    ["an unknown format", (s: string) => ({ key, text: s.replace(/^v1/, "v9") })],
    ["a truncated value", () => ({ key, text: "v1.AAAA" })],
  ])("refuses %s", (_name, alter) => {
    const { key: k, text } = alter(encryptSecret(key, "whsec_abcdefghijklmnop"));
    expect(() => decryptSecret(k, text)).toThrow(SecretDecryptError);
  });
});
