import { describe, expect, it } from "vitest";
import { cronProblem, latestFireTime, nextFireTime, parseReportScheduleInput, parseReportSchedulePatch, ReportScheduleValidationError } from "./schedules.ts";
import { parseReportsConfig, ReportsConfigError } from "./config.ts";

describe("schedule validation", () => {
  it("fills defaults and normalises channels", () => {
    expect(
      parseReportScheduleInput({
        name: " weekly finance ",
        cron: "0 8 * * 1",
        timezone: "europe/berlin",
        formats: ["csv", "html", "csv"],
        channels: ["arn:aws:sns:eu-central-1:123456789012:cost-reports", "https://hooks.example.com/x?token=1", { type: "webhook", url: "http://10.0.0.5:8080/r" }],
      }),
    ).toEqual({
      name: "weekly finance",
      cron: "0 8 * * 1",
      timezone: "Europe/Berlin",
      period: "last-7d",
      formats: ["csv", "html"],
      channels: [
        { type: "sns", topicArn: "arn:aws:sns:eu-central-1:123456789012:cost-reports" },
        { type: "webhook", url: "https://hooks.example.com/x?token=1" },
        { type: "webhook", url: "http://10.0.0.5:8080/r" },
      ],
      enabled: true,
    });
  });

  it.each([
    [{ name: "x", cron: "61 * * * *" }, "cron", /not a valid cron expression/],
    [{ name: "x", cron: "0 0 30 2 *" }, "cron", /never fires/],
    [{ name: "x", cron: "*/5 * * * *" }, "cron", /more often than every 60 minutes/],
    [{ name: "x", cron: "0 8 * * 1", timezone: "Europe/Atlantis" }, "timezone", /IANA time zone/],
    [{ name: "x", cron: "0 8 * * 1", formats: [] }, "formats", /at least one format/],
    [{ name: "x", cron: "0 8 * * 1", formats: ["pdf"] }, "formats.0", /./],
    [{ name: "x", cron: "0 8 * * 1", period: "yesterday" }, "period", /./],
    [{ name: "x", cron: "0 8 * * 1", channels: ["arn:aws:sqs:us-east-1:123456789012:q"] }, "channels.0.topicArn", /SNS topic ARN/],
    [{ name: "x", cron: "0 8 * * 1", channels: ["ftp://example.com/"] }, "channels.0.url", /http/],
    [{ name: "", cron: "0 8 * * 1" }, "name", /./],
    [{ name: "x", cron: "0 8 * * 1", extra: 1 }, "(root)", /extra/],
  ])("refuses %j (%s)", (input, path, message) => {
    try {
      parseReportScheduleInput(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ReportScheduleValidationError);
      const issue = (err as ReportScheduleValidationError).issues.find((i) => i.path === path);
      expect(issue?.message).toMatch(message);
    }
  });

  it("validates patches field by field", () => {
    expect(parseReportSchedulePatch({ enabled: false })).toEqual({ enabled: false });
    expect(() => parseReportSchedulePatch({ cron: "bad" })).toThrow(/cron/);
    expect(cronProblem("30 0 8 * * *")).toBeNull();
  });
});

describe("fire times (croner, in the schedule's zone)", () => {
  it("fires at local 08:00 across the DST change", () => {
    expect(nextFireTime("0 8 * * *", "Europe/Berlin", new Date("2026-03-28T12:00:00Z"))!.toISOString()).toBe("2026-03-29T06:00:00.000Z");
    expect(nextFireTime("0 8 * * *", "Europe/Berlin", new Date("2026-03-27T12:00:00Z"))!.toISOString()).toBe("2026-03-28T07:00:00.000Z");
  });

  it("finds the latest fire at or before an instant", () => {
    expect(latestFireTime("0 8 * * *", "UTC", new Date("2026-03-10T08:00:00.000Z"))!.toISOString()).toBe("2026-03-10T08:00:00.000Z");
    expect(latestFireTime("0 8 * * *", "UTC", new Date("2026-03-10T07:59:59.999Z"))!.toISOString()).toBe("2026-03-09T08:00:00.000Z");
  });
});

describe("reports config file", () => {
  it("parses schedules and names the bad field", () => {
    expect(parseReportsConfig({ schedules: [{ name: "a", cron: "0 8 * * 1" }] })[0]).toMatchObject({ name: "a", timezone: "UTC", formats: ["html"] });
    expect(() => parseReportsConfig({ schedules: [{ name: "a", cron: "0 8 * * 1" }, { name: "a", cron: "0 9 * * 1" }] })).toThrow(/schedules.1.name: duplicate/);
    expect(() => parseReportsConfig({ schedules: [{ name: "a", cron: "0 8 * * 1", timezone: "Nowhere" }] }, "test.json")).toThrow(ReportsConfigError);
  });
});
