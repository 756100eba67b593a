import { describe, expect, it } from "vitest";
import { formatUsd, sumMicro, toMicroUsd, usdNumber } from "./money.ts";
import { Rational } from "./rational.ts";

describe("Rational", () => {
  it.each([
    ["0.0000166667", 166667n, 10000000000n],
    ["3.50", 7n, 2n],
    ["-0.25", -1n, 4n],
    ["1e+21", 10n ** 21n, 1n],
    ["1.5e-3", 3n, 2000n],
    ["007", 7n, 1n],
  ])("parses %s exactly", (text, num, den) => {
    const r = Rational.parse(text);
    expect([r.num, r.den]).toEqual([num, den]);
  });

  it.each(["", "1,5", "0x10", "1.", ".5", "NaN", "1e"])("rejects %j", (text) => {
    expect(() => Rational.parse(text)).toThrow(/is not a decimal number/);
  });

  it("keeps GB-seconds exact where floats drift", () => {
    // 3 x 0.1 GB-s priced at $0.0000166667: floats give 5.00001e-6 with error; the rational is exact.
    const r = Rational.parse("0.1").add("0.1").add("0.1").mul("0.0000166667");
    expect(r.toString()).toBe("0.00000500001");
    expect(Rational.from(1n, 3n).toString()).toBe("0.333333333333");
    expect(Rational.from(1n, 1024000n).toString()).toBe("0.0000009765625");
  });

  it.each([
    ["2.5", 3n],
    ["2.4999", 2n],
    ["-2.5", -3n],
    ["-2.4", -2n],
    ["0", 0n],
  ])("rounds %s half away from zero to %d", (text, expected) => {
    expect(Rational.parse(text).roundHalfUp()).toBe(expected);
  });

  it("floors and ceils negatives correctly", () => {
    expect(Rational.parse("-1.5").floor()).toBe(-2n);
    expect(Rational.parse("-1.5").ceil()).toBe(-1n);
    expect(Rational.parse("4.0001").ceil()).toBe(5n);
  });

  it("accepts numbers through their shortest decimal form and rejects non-finite ones", () => {
    expect(Rational.of(0.1).toString()).toBe("0.1");
    expect(() => Rational.of(Number.NaN)).toThrow(/not a finite number/);
    expect(() => Rational.of(1).div(0)).toThrow(/division by zero/);
  });
});

describe("money", () => {
  it("rounds exact amounts to micro-dollars once", () => {
    expect(toMicroUsd("2.333338")).toBe(2_333_338n);
    expect(toMicroUsd("0.0000005")).toBe(1n);
    expect(toMicroUsd("0.00000049")).toBe(0n);
    expect(sumMicro([1n, 2n, 3n])).toBe(6n);
  });

  it.each([
    [2_333_338n, undefined, "$2.33"],
    [36_353_100_000n, undefined, "$36,353.10"],
    [912_000n, 3, "$0.912"],
    [-1_005_000n, undefined, "-$1.01"],
    [4_999n, undefined, "$0.00"],
    [5_000n, undefined, "$0.01"],
    [123n, 6, "$0.000123"],
  ])("formatUsd(%d, %s) = %s", (micro, decimals, text) => {
    expect(formatUsd(micro, decimals === undefined ? {} : { decimals })).toBe(text);
  });

  it("gives cents as numbers for JSON", () => {
    expect(usdNumber(2_333_338n)).toBe(2.33);
    expect(usdNumber(106_411_412n)).toBe(106.41);
    expect(usdNumber(-5_000n)).toBe(-0.01);
  });
});
