import { describe, expect, it } from "vitest";
import type { SandboxContext, SandboxRequest } from "../core.ts";
import { XRayService } from "./xray.ts";

const T = 1795780891;
const TRACE = `1-${T.toString(16)}-2abcc054e553ad91b2100bbf`;

function context(): SandboxContext {
  return {
    accountId: "123456789012",
    region: "us-east-1",
    now: () => T * 1000,
    random: () => 0.5,
    internals: {} as SandboxContext["internals"],
    runInvocation: async () => {
      throw new Error("not used");
    },
    faults: () => ({}),
    pageSize: (_s, _o, d) => d,
    touch: () => {},
  };
}

async function call(xray: XRayService, ctx: SandboxContext, path: string, input: unknown): Promise<any> {
  const req: SandboxRequest = {
    method: "POST",
    path,
    rawPath: path,
    query: new URLSearchParams(),
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify(input)),
    service: "xray",
    region: "us-east-1",
    requestId: "r",
  };
  const res = await xray.resolve(req, ctx)!.run();
  return JSON.parse(String(res.body));
}

const good = { id: "0123456789abcdef", trace_id: TRACE, name: "checkout", start_time: T + 0.5, end_time: T + 0.75 };
const doc = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });

describe("PutTraceSegments validation", () => {
  const cases: { name: string; document: unknown; expected: unknown[] }[] = [
    { name: "a complete segment", document: JSON.stringify(good), expected: [] },
    { name: "an in-progress segment", document: doc({ end_time: undefined, in_progress: true }), expected: [] },
    { name: "a subsegment with its parent", document: doc({ type: "subsegment", parent_id: "fedcba9876543210" }), expected: [] },
    { name: "whitespace and unicode", document: ` {\n\t"name" : "caf\u00e9 \\u2603", "id":"0123456789abcdef","trace_id":"${TRACE}","start_time":${T},"end_time":${T}.5 } `, expected: [] },
    { name: "not a string", document: { ...good }, expected: [{ ErrorCode: "InvalidSegment", Message: "Segment document must be a JSON string." }] },
    { name: "bad JSON", document: "{not json", expected: [{ ErrorCode: "JSONFormatError", Message: "Bad JSON data" }] },
    { name: "a trailing comma", document: JSON.stringify(good).replace(/}$/, ",}"), expected: [{ ErrorCode: "JSONFormatError", Message: "Bad JSON data" }] },
    { name: "an array", document: "[1]", expected: [{ ErrorCode: "JSONFormatError", Message: "Segment document must be a JSON object." }] },
    { name: "null", document: "null", expected: [{ ErrorCode: "JSONFormatError", Message: "Segment document must be a JSON object." }] },
    { name: "no id", document: doc({ id: undefined }), expected: [{ ErrorCode: "MissingParam", Message: "Missing or invalid segment id (16 hexadecimal digits)." }] },
    { name: "a numeric id", document: doc({ id: 123 }), expected: [{ ErrorCode: "MissingParam", Message: "Missing or invalid segment id (16 hexadecimal digits)." }] },
    { name: "an upper-case id", document: doc({ id: "0123456789ABCDEF" }), expected: [{ Id: "0123456789ABCDEF", ErrorCode: "MissingParam", Message: "Missing or invalid segment id (16 hexadecimal digits)." }] },
    {
      name: "a bad trace id",
      document: doc({ trace_id: "1-abc-def" }),
      expected: [{ Id: good.id, ErrorCode: "InvalidTraceId", Message: "Missing or invalid trace_id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)." }],
    },
    { name: "an empty name", document: doc({ name: "" }), expected: [{ Id: good.id, ErrorCode: "MissingParam", Message: "Missing or invalid name." }] },
    { name: "a 201-character name", document: doc({ name: "n".repeat(201) }), expected: [{ Id: good.id, ErrorCode: "MissingParam", Message: "Missing or invalid name." }] },
    { name: "a string start_time", document: doc({ start_time: String(T) }), expected: [{ Id: good.id, ErrorCode: "MissingParam", Message: "Missing start_time." }] },
    { name: "no end_time", document: doc({ end_time: undefined }), expected: [{ Id: good.id, ErrorCode: "MissingParam", Message: "Missing end_time or in_progress." }] },
    { name: "in_progress not true", document: doc({ end_time: undefined, in_progress: "true" }), expected: [{ Id: good.id, ErrorCode: "MissingParam", Message: "Missing end_time or in_progress." }] },
    { name: "a subsegment without parent", document: doc({ type: "subsegment" }), expected: [{ Id: good.id, ErrorCode: "MissingParam", Message: "A subsegment document needs a parent_id." }] },
    { name: "an object parent_id", document: doc({ parent_id: { id: "fedcba9876543210" } }), expected: [{ Id: good.id, ErrorCode: "InvalidParam", Message: "Invalid parent_id." }] },
    { name: "a null parent_id", document: doc({ parent_id: null }), expected: [{ Id: good.id, ErrorCode: "InvalidParam", Message: "Invalid parent_id." }] },
    { name: "a short parent_id", document: doc({ parent_id: "abc" }), expected: [{ Id: good.id, ErrorCode: "InvalidParam", Message: "Invalid parent_id." }] },
    { name: "over 64 KB", document: doc({ annotations: { big: "x".repeat(65 * 1024) } }), expected: [{ ErrorCode: "SegmentTooLarge", Message: "Segment document exceeds 64 KB." }] },
    {
      name: "the last of duplicate members",
      document: `{"id":"0123456789abcdef","trace_id":"${TRACE}","name":"a","start_time":${T},"end_time":${T},"id":"zz"}`,
      expected: [{ Id: "zz", ErrorCode: "MissingParam", Message: "Missing or invalid segment id (16 hexadecimal digits)." }],
    },
  ];
  it.each(cases)("$name", async ({ document, expected }) => {
    const ctx = context();
    const out = await call(new XRayService(ctx), ctx, "/TraceSegments", { TraceSegmentDocuments: [document] });
    expect(out.UnprocessedTraceSegments).toEqual(expected);
  });

  it("rejects a body without a document list", async () => {
    const ctx = context();
    await expect(call(new XRayService(ctx), ctx, "/TraceSegments", { TraceSegmentDocuments: "x" })).rejects.toMatchObject({ code: "InvalidRequestException" });
  });

  it("keeps good documents of a batch with bad ones, in order, and serves them back", async () => {
    const ctx = context();
    const xray = new XRayService(ctx);
    const child = { id: "fedcba9876543210", trace_id: TRACE, name: "db", start_time: T + 0.6, end_time: T + 0.7, parent_id: good.id, type: "subsegment" };
    const out = await call(xray, ctx, "/TraceSegments", {
      TraceSegmentDocuments: ["{", JSON.stringify(good), doc({ id: "1111111111111111", name: "" }), JSON.stringify(child), doc({ end_time: T + 2 })],
    });
    expect(out.UnprocessedTraceSegments.map((u: { Id?: string; ErrorCode: string }) => [u.Id, u.ErrorCode])).toEqual([
      [undefined, "JSONFormatError"],
      ["1111111111111111", "MissingParam"],
    ]);
    const traces = await call(xray, ctx, "/Traces", { TraceIds: [TRACE] });
    expect(traces.Traces).toHaveLength(1);
    // The later document with the same id replaced the first; the subsegment is folded into its segment.
    expect(traces.Traces[0].Duration).toBe(1.5);
    expect(traces.Traces[0].Segments.map((s: { Id: string }) => s.Id)).toEqual([good.id]);
    expect(traces.Traces[0].Segments[0].Document).toContain(child.id);
    expect(xray.snapshot().traces.map((t) => [t.id, t.segIds, t.endTime])).toEqual([[TRACE, [good.id, child.id], T + 2]]);
    const summaries = await call(xray, ctx, "/TraceSummaries", { StartTime: T - 60, EndTime: T + 60 });
    expect(summaries.TraceSummaries.map((s: { Id: string }) => s.Id)).toEqual([TRACE]);
  });
});
