import { describe, expect, it } from "vitest";
import { chunkRows, chunks, dedupeByKey, inList, isUniqueViolation, pgArrayLiteral, pgDate, pgParam, sqliteDate, toBig, toBool, toDate, toNum, toPgPlaceholders } from "./sql.ts";

describe("statement planning", () => {
  it.each([
    [0, 9, 30_000, []],
    [1000, 9, 30_000, [500, 500]],
    [1001, 60, 30_000, [500, 500, 1]],
    [1499, 6, 30_000, [500, 500, 256, 128, 64, 32, 16, 2, 1]],
    [300, 18, 30_000, [256, 32, 8, 4]],
    [10, 7, 14, [2, 2, 2, 2, 2]],
    [11, 7, 21, [3, 3, 3, 2]],
  ])("chunkRows(%i rows x %i columns, %i params)", (n, cols, max, want) => {
    expect(chunkRows(Array.from({ length: n }, (_, i) => i), cols, max).map((c) => c.length)).toEqual(want);
  });
  it("keeps the last row per natural key", () => {
    const d = new Date(5);
    expect(dedupeByKey([[1, "a", d, "x"], [1, "b", d, "y"], [1, "a", new Date(5), "z"]], ["f", "k", "t", "v"], ["f", "k", "t"])).toEqual([[1, "a", d, "z"], [1, "b", d, "y"]]);
    expect(() => dedupeByKey([[1]], ["a"], ["b"])).toThrow(/conflict key/);
  });
  it("numbers placeholders for PostgreSQL", () => expect(toPgPlaceholders(`SELECT ? , ?, "x" IN (?)`)).toBe(`SELECT $1 , $2, "x" IN ($3)`));
  it("builds IN lists and chunks", () => {
    expect(inList(`"id"`, [1, 2, 3])).toBe(`"id" IN (?, ?, ?)`);
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe("values across drivers", () => {
  const d = new Date("2026-11-02T10:00:00.123Z");
  it("writes dates the way Prisma stores them", () => {
    expect(sqliteDate(d)).toBe("2026-11-02T10:00:00.123+00:00");
    expect(pgDate(d)).toBe("2026-11-02 10:00:00.123");
    expect(pgParam(5n)).toBe("5");
    expect(pgParam(undefined)).toBe(null);
  });
  it.each([
    [[], "{}"],
    [[1, 2.5, null, undefined], `{"1","2.5",NULL,NULL}`],
    [[true, false, 12n], `{"true","false","12"}`],
    [[d], `{"2026-11-02 10:00:00.123"}`],
    [["", "a,b", "{x}", " pad ", "NULL"], `{"","a,b","{x}"," pad ","NULL"}`],
    [['say "hi"', String.raw`C:\tmp\x`, "tab\there\nline"], String.raw`{"say \"hi\"","C:\\tmp\\x",` + `"tab\there\nline"}`],
  ])("pgArrayLiteral, case %#", (values, want) => expect(pgArrayLiteral(values)).toBe(want));
  it.each([
    [{ code: "23505", table: "LogEvent", constraint: "LogEvent_functionId_eventId_key" }, true],
    [{ code: "23505", table: "Invocation" }, false],
    [{ code: "23503", table: "LogEvent" }, false],
    [{ code: "SQLITE_CONSTRAINT_UNIQUE", message: "UNIQUE constraint failed: LogEvent.functionId, LogEvent.eventId" }, true],
    [{ code: "SQLITE_CONSTRAINT_UNIQUE", message: "UNIQUE constraint failed: LogEventX.eventId" }, false],
    [{ code: "SQLITE_CONSTRAINT_FOREIGNKEY", message: "FOREIGN KEY constraint failed" }, false],
    [null, false],
  ])("isUniqueViolation(%j, LogEvent)", (err, want) => expect(isUniqueViolation(err, "LogEvent")).toBe(want));
  it("rejects values an array column cannot hold", () => expect(() => pgArrayLiteral([{ a: 1 }])).toThrow(TypeError));
  it.each([0, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2026, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -1, Date.UTC(1969, 6, 20, 20, 17, 40, 5)])(
    "formats %i ms as toISOString does",
    (ms) => {
      const iso = new Date(ms).toISOString();
      expect(sqliteDate(new Date(ms))).toBe(iso.replace("Z", "+00:00"));
      expect(pgDate(new Date(ms))).toBe(iso.replace("T", " ").replace("Z", ""));
    },
  );
  it("formats any instant as toISOString does", () => {
    let x = 7;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const ms = Date.UTC(1990, 0, 1) + x * 997 + (i % 1000);
      const iso = new Date(ms).toISOString();
      expect([sqliteDate(new Date(ms)), pgDate(new Date(ms))]).toEqual([iso.replace("Z", "+00:00"), iso.replace("T", " ").replace("Z", "")]);
    }
  });
  it("rejects an invalid date as toISOString does", () => expect(() => sqliteDate(new Date(NaN))).toThrow(RangeError));
  it.each([
    ["2026-11-02T10:00:00.123+00:00", d],
    ["2026-11-02 10:00:00.123", d],
    [d, d],
  ])("toDate(%j)", (v, want) => expect(toDate(v).getTime()).toBe(want.getTime()));
  it("reads numbers, bigints and booleans from either driver", () => {
    expect([toNum("12"), toNum(3n), toNum(null), toBig("9007199254740993"), toBig(7), toBool(1), toBool("t"), toBool(false), toBool(0)]).toEqual([12, 3, 0, 9007199254740993n, 7n, true, true, false, false]);
  });
});
