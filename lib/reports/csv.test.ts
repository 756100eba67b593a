import { describe, expect, it } from "vitest";
import { csvField, CsvParseError, parseCsv, toCsv } from "./csv.ts";
import { parseUsdExact, usdDisplay, usdExact } from "./money-format.ts";

describe("RFC 4180 CSV", () => {
  it.each([
    ["plain", "plain"],
    ["", ""],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["cr\rlf", '"cr\rlf"'],
    [" spaced ", " spaced "],
  ])("quotes %j as %j", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it("round-trips awkward fields, CRLF line ends", () => {
    const rows = [
      ["a", "b,c", 'd"e', ""],
      ["multi\r\nline", "", "x", '""'],
      ["", "", "", ""],
    ];
    const text = toCsv(rows);
    expect(text).toBe('a,"b,c","d""e",\r\n"multi\r\nline",,x,""""""\r\n,,,\r\n');
    expect(parseCsv(text)).toEqual(rows);
  });

  it("reads LF-only files and a last line without a line end", () => {
    expect(parseCsv("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("rejects malformed quoting", () => {
    expect(() => parseCsv('"open,1\r\n')).toThrow(CsvParseError);
    expect(() => parseCsv('"a"b,1\r\n')).toThrow(/after a closing quote/);
    expect(() => parseCsv('a"b,1\r\n')).toThrow(/inside an unquoted field/);
  });
});

describe("money text", () => {
  it("writes and reads exact micro-dollars", () => {
    for (const micro of [0n, 1n, 999_999n, 1_000_000n, 7_533_334n, -250n, 123_456_789_012n]) expect(parseUsdExact(usdExact(micro))).toBe(micro);
    expect(usdExact(7_533_334n)).toBe("7.533334");
    expect(usdExact(-250n)).toBe("-0.000250");
    expect(parseUsdExact("1.5")).toBe(1_500_000n);
    expect(() => parseUsdExact("1.2345678")).toThrow(RangeError);
  });

  it("rounds for display only, keeping tiny amounts visible", () => {
    expect(usdDisplay(7_533_334n)).toBe("$7.53");
    expect(usdDisplay(1_234_567_890n)).toBe("$1,234.57");
    expect(usdDisplay(166_667n)).toBe("$0.1667");
    expect(usdDisplay(40n)).toBe("$0.000040");
    expect(usdDisplay(0n)).toBe("$0.00");
  });
});
