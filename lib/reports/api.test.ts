import { describe, expect, it } from "vitest";
import { parseId, readJsonBody, scheduleErrorResponse } from "./api.ts";
import { parseReportScheduleInput, ReportScheduleConflictError, ReportScheduleNotFoundError } from "./schedules.ts";

describe("parseId", () => {
  it.each([
    ["1", 1],
    ["42", 42],
    ["0", null],
    ["-3", null],
    ["1.5", null],
    ["abc", null],
    ["12345678901", null],
  ])("%s -> %s", (raw, id) => expect(parseId(raw)).toBe(id));
});

describe("readJsonBody", () => {
  it.each([
    ["", 400, "the request needs a JSON body"],
    ["{nope", 400, "the body is not valid JSON"],
  ])("%j -> %i", async (body, status, message) => {
    const r = await readJsonBody(new Request("http://x/api", { method: "POST", body }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.response.status).toBe(status);
      expect((await r.response.json()).error.message).toContain(message);
    }
  });
  it("parses a body", async () => {
    expect(await readJsonBody(new Request("http://x/api", { method: "POST", body: '{"name":"weekly"}' }))).toEqual({ ok: true, body: { name: "weekly" } });
  });
});

describe("scheduleErrorResponse", () => {
  const invalid = (() => {
    try {
      parseReportScheduleInput({ name: "x", cron: "* * * * *", timezone: "Mars/Olympus" });
    } catch (err) {
      return err;
    }
  })();
  it.each([
    [invalid, 400, "invalid_body", /timezone: must be an IANA time zone.*cron: fires more often than every 60 minutes/],
    [new ReportScheduleNotFoundError(7), 404, "not_found", /report schedule #7 was not found/],
    [new ReportScheduleConflictError("weekly"), 409, "conflict", /"weekly" already exists/],
  ])("%s", async (err, status, code, message) => {
    const res = scheduleErrorResponse(err)!;
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
  });
  it("leaves other errors alone", () => expect(scheduleErrorResponse(new Error("boom"))).toBeNull());
});
