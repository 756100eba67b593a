import { describe, expect, it } from "vitest";
import {
  LOG_LINE_KINDS,
  parseLambdaLogLine,
  parseLambdaLogMessage,
  toParseLogsJson,
  type ParsedLogLine,
} from "./lambda-log.ts";

const RID = "8f507cfc-1f3a-4697-b07a-ac58fc914c95";

// Each sample is a CloudWatch event `message` exactly as Lambda writes it (trailing "\n" included).
const messageCases: Array<{ name: string; message: string; expected: ParsedLogLine[] }> = [
  {
    name: "START with $LATEST",
    message: `START RequestId: ${RID} Version: $LATEST\n`,
    expected: [{ kind: "start", format: "text", requestId: RID, version: "$LATEST" }],
  },
  {
    name: "START with a published version",
    message: `START RequestId: ${RID} Version: 12\n`,
    expected: [{ kind: "start", format: "text", requestId: RID, version: "12" }],
  },
  {
    name: "END",
    message: `END RequestId: ${RID}\n`,
    expected: [{ kind: "end", format: "text", requestId: RID }],
  },
  {
    name: "REPORT cold start with XRAY on the next line",
    message:
      `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t\n` +
      "XRAY TraceId: 1-5e34a614-10bd4b4ff1fb44f07bc535a1\tSegmentId: 3d752a1be1bbe37e\tSampled: true\t\n",
    expected: [
      {
        kind: "report",
        format: "text",
        requestId: RID,
        durationMs: 15.74,
        billedDurationMs: 16,
        memorySizeMb: 128,
        maxMemoryUsedMb: 56,
        initDurationMs: 130.49,
        xrayTraceId: "1-5e34a614-10bd4b4ff1fb44f07bc535a1",
        xraySegmentId: "3d752a1be1bbe37e",
        xraySampled: true,
      },
    ],
  },
  {
    name: "REPORT warm, older runtime with a stray space before each tab",
    message:
      "REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 12.34 ms \tBilled Duration: 100 ms \tMemory Size: 128 MB\tMax Memory Used: 18 MB\t\n",
    expected: [
      {
        kind: "report",
        format: "text",
        requestId: "3604209a-e9a3-11e6-939a-754dd98c7be3",
        durationMs: 12.34,
        billedDurationMs: 100,
        memorySizeMb: 128,
        maxMemoryUsedMb: 18,
      },
    ],
  },
  {
    name: "REPORT SnapStart restore",
    message:
      "REPORT RequestId: b771fecc-1b53-4faf-922d-1d74357b1676\tDuration: 306.34 ms\tBilled Duration: 610 ms\tMemory Size: 3009 MB\tMax Memory Used: 155 MB\tRestore Duration: 511.25 ms\tBilled Restore Duration: 303 ms\t\n",
    expected: [
      {
        kind: "report",
        format: "text",
        requestId: "b771fecc-1b53-4faf-922d-1d74357b1676",
        durationMs: 306.34,
        billedDurationMs: 610,
        memorySizeMb: 3009,
        maxMemoryUsedMb: 155,
        restoreDurationMs: 511.25,
        billedRestoreDurationMs: 303,
      },
    ],
  },
  {
    name: "REPORT timeout status",
    message: `REPORT RequestId: ${RID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 79 MB\tStatus: timeout\n`,
    expected: [
      {
        kind: "report",
        format: "text",
        requestId: RID,
        durationMs: 3000,
        billedDurationMs: 3000,
        memorySizeMb: 128,
        maxMemoryUsedMb: 79,
        status: "timeout",
      },
    ],
  },
  {
    name: "REPORT out of memory with XRAY",
    message:
      "REPORT RequestId: 276ff3b9-1609-4ee7-a288-db3752630767\tDuration: 10935.70 ms\tBilled Duration: 10936 ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tStatus: error\tError Type: Runtime.OutOfMemory\n" +
      "XRAY TraceId: 1-6ac7d556-032906e375c910cf42cb849e\tSegmentId: 90cbc97f4ee64a7f\tSampled: true\n",
    expected: [
      {
        kind: "report",
        format: "text",
        requestId: "276ff3b9-1609-4ee7-a288-db3752630767",
        durationMs: 10935.7,
        billedDurationMs: 10936,
        memorySizeMb: 1024,
        maxMemoryUsedMb: 1024,
        status: "error",
        errorType: "Runtime.OutOfMemory",
        oom: true,
        xrayTraceId: "1-6ac7d556-032906e375c910cf42cb849e",
        xraySegmentId: "90cbc97f4ee64a7f",
        xraySampled: true,
      },
    ],
  },
  {
    name: "REPORT with XRAY after a tab on the same line, not sampled",
    message: `REPORT RequestId: ${RID}\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\tXRAY TraceId: 1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b\tSegmentId: 0af1b2c3d4e5f607\tSampled: false\t\n`,
    expected: [
      {
        kind: "report",
        format: "text",
        requestId: RID,
        durationMs: 1.23,
        billedDurationMs: 2,
        memorySizeMb: 512,
        maxMemoryUsedMb: 80,
        xrayTraceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b",
        xraySegmentId: "0af1b2c3d4e5f607",
        xraySampled: false,
      },
    ],
  },
  {
    name: "REPORT with spaces instead of tabs (copied from a console)",
    message:
      "REPORT RequestId: 24addd09-6e64-49fb-b187-94ba9b60b59a Duration: 127.10 ms Billed Duration: 154 ms Memory Size: 2048 MB Max Memory Used: 212 MB Restore Duration: 325.93 ms Billed Restore Duration: 26 ms XRAY TraceId: 1-66d978e5-56c7378e556e94b5461da07c SegmentId: 29c3839e6ecb5895 Sampled: true",
    expected: [
      {
        kind: "report",
        format: "text",
        requestId: "24addd09-6e64-49fb-b187-94ba9b60b59a",
        durationMs: 127.1,
        billedDurationMs: 154,
        memorySizeMb: 2048,
        maxMemoryUsedMb: 212,
        restoreDurationMs: 325.93,
        billedRestoreDurationMs: 26,
        xrayTraceId: "1-66d978e5-56c7378e556e94b5461da07c",
        xraySegmentId: "29c3839e6ecb5895",
        xraySampled: true,
      },
    ],
  },
  {
    name: "INIT_START",
    message:
      "INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0a25e3e7a1cc9ce404bc435eeb2ad358d8fa64338e618d0c224fe509403583ca\n",
    expected: [
      {
        kind: "init_start",
        format: "text",
        runtimeVersion: "nodejs:20.v13",
        runtimeVersionArn:
          "arn:aws:lambda:us-east-1::runtime:0a25e3e7a1cc9ce404bc435eeb2ad358d8fa64338e618d0c224fe509403583ca",
      },
    ],
  },
  {
    name: "INIT_REPORT with an init error",
    message: "INIT_REPORT Init Duration: 154.03 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n",
    expected: [
      {
        kind: "platform",
        format: "text",
        eventType: "platform.initReport",
        durationMs: 154.03,
        phase: "init",
        status: "error",
        errorType: "Runtime.ExitError",
        detail: { "Init Duration": "154.03", Phase: "init", Status: "error", "Error Type": "Runtime.ExitError" },
      },
    ],
  },
  {
    name: "RESTORE_REPORT",
    message: "RESTORE_REPORT Restore Duration: 571.67 ms\n",
    expected: [
      {
        kind: "platform",
        format: "text",
        eventType: "platform.restoreReport",
        durationMs: 571.67,
        detail: { "Restore Duration": "571.67" },
      },
    ],
  },
  {
    name: "EXTENSION registration",
    message: "EXTENSION\tName: datadog-agent\tState: Ready\tEvents: [INVOKE, SHUTDOWN]\n",
    expected: [
      {
        kind: "platform",
        format: "text",
        eventType: "platform.extension",
        name: "datadog-agent",
        status: "Ready",
        detail: { Name: "datadog-agent", State: "Ready", Events: "[INVOKE, SHUTDOWN]" },
      },
    ],
  },
  {
    name: "timeout line with timestamp and request id",
    message: "2024-01-29T16:41:15.998Z 5a1d9d58-8e3b-4c1f-a0a7-3a6b2c8f4e11 Task timed out after 45.05 seconds\n\n",
    expected: [
      {
        kind: "timeout",
        format: "text",
        time: "2024-01-29T16:41:15.998Z",
        requestId: "5a1d9d58-8e3b-4c1f-a0a7-3a6b2c8f4e11",
        timeoutSeconds: 45.05,
      },
    ],
  },
  {
    name: "timeout line without prefix",
    message: "Task timed out after 3.00 seconds\n",
    expected: [{ kind: "timeout", format: "text", timeoutSeconds: 3 }],
  },
  {
    name: "Node Invoke Error",
    message:
      `2024-05-01T10:00:00.000Z\t${RID}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'id')","stack":["TypeError: Cannot read properties of undefined (reading 'id')","    at Runtime.handler (file:///var/task/index.mjs:3:22)","    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"]}\n`,
    expected: [
      {
        kind: "error",
        format: "text",
        source: "invoke_error",
        time: "2024-05-01T10:00:00.000Z",
        requestId: RID,
        level: "ERROR",
        errorType: "TypeError",
        errorMessage: "Cannot read properties of undefined (reading 'id')",
        stack: [
          "TypeError: Cannot read properties of undefined (reading 'id')",
          "    at Runtime.handler (file:///var/task/index.mjs:3:22)",
          "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)",
        ],
        oom: false,
      },
    ],
  },
  {
    name: "Node Uncaught Exception during INIT (request id printed as undefined)",
    message:
      '2025-02-10T07:37:11.523Z\tundefined\tERROR\tUncaught Exception \t{"errorType":"Runtime.UserCodeSyntaxError","errorMessage":"SyntaxError: Unexpected end of input","stack":["Runtime.UserCodeSyntaxError: SyntaxError: Unexpected end of input","    at _loadUserApp (file:///var/runtime/index.mjs:1084:17)"]}\n',
    expected: [
      {
        kind: "error",
        format: "text",
        source: "uncaught_exception",
        time: "2025-02-10T07:37:11.523Z",
        level: "ERROR",
        errorType: "Runtime.UserCodeSyntaxError",
        errorMessage: "SyntaxError: Unexpected end of input",
        stack: [
          "Runtime.UserCodeSyntaxError: SyntaxError: Unexpected end of input",
          "    at _loadUserApp (file:///var/runtime/index.mjs:1084:17)",
        ],
        oom: false,
      },
    ],
  },
  {
    name: "Node Unhandled Promise Rejection",
    message:
      `2024-05-01T10:00:00.000Z\t${RID}\tERROR\tUnhandled Promise Rejection \t{"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":"Error: boom","reason":{"errorType":"Error","errorMessage":"boom"},"promise":{},"stack":["Runtime.UnhandledPromiseRejection: Error: boom"]}\n`,
    expected: [
      {
        kind: "error",
        format: "text",
        source: "unhandled_rejection",
        time: "2024-05-01T10:00:00.000Z",
        requestId: RID,
        level: "ERROR",
        errorType: "Runtime.UnhandledPromiseRejection",
        errorMessage: "Error: boom",
        stack: ["Runtime.UnhandledPromiseRejection: Error: boom"],
        oom: false,
      },
    ],
  },
  {
    name: "Node Invoke Error with a truncated payload",
    message: `2024-05-01T10:00:00.000Z\t${RID}\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"boom","stack":["Error: bo`,
    expected: [
      {
        kind: "error",
        format: "text",
        source: "invoke_error",
        time: "2024-05-01T10:00:00.000Z",
        requestId: RID,
        level: "ERROR",
        errorType: "Error",
        errorMessage: "boom",
        oom: false,
      },
    ],
  },
  {
    name: "Node app log INFO",
    message: `2024-05-01T10:00:00.000Z\t${RID}\tINFO\tprocessing order 42\n`,
    expected: [
      {
        kind: "app_log",
        format: "text",
        time: "2024-05-01T10:00:00.000Z",
        requestId: RID,
        level: "INFO",
        message: "processing order 42",
      },
    ],
  },
  {
    name: "Node app log WARN with a multi-line message",
    message: `2024-05-01T10:00:00.000Z\t${RID}\tWARN\t{\n  "retry": 2\n}\n`,
    expected: [
      {
        kind: "app_log",
        format: "text",
        time: "2024-05-01T10:00:00.000Z",
        requestId: RID,
        level: "WARN",
        message: '{\n  "retry": 2\n}',
      },
    ],
  },
  {
    name: "Node console.error of an Error (stdout path turns newlines into \\r)",
    message: `2024-05-01T10:00:00.000Z\t${RID}\tERROR\tValidationError: amount must be positive\r    at validate (/var/task/index.js:10:11)\n`,
    expected: [
      {
        kind: "error",
        format: "text",
        source: "app_log",
        time: "2024-05-01T10:00:00.000Z",
        requestId: RID,
        level: "ERROR",
        errorType: "ValidationError",
        errorMessage: "ValidationError: amount must be positive",
        stack: ["    at validate (/var/task/index.js:10:11)"],
        oom: false,
      },
    ],
  },
  {
    name: "Python uncaught exception with traceback",
    message:
      '[ERROR] ValueError: bad input\nTraceback (most recent call last):\n  File "/var/task/app.py", line 5, in handler\n    raise ValueError("bad input")\n',
    expected: [
      {
        kind: "error",
        format: "text",
        source: "python_uncaught",
        level: "ERROR",
        errorType: "ValueError",
        errorMessage: "bad input",
        stack: [
          "Traceback (most recent call last):",
          '  File "/var/task/app.py", line 5, in handler',
          '    raise ValueError("bad input")',
        ],
        oom: false,
      },
    ],
  },
  {
    name: "Python ImportModuleError",
    message:
      "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'requests'\nTraceback (most recent call last):\n",
    expected: [
      {
        kind: "error",
        format: "text",
        source: "python_uncaught",
        level: "ERROR",
        errorType: "Runtime.ImportModuleError",
        errorMessage: "Unable to import module 'lambda_function': No module named 'requests'",
        stack: ["Traceback (most recent call last):"],
        oom: false,
      },
    ],
  },
  {
    name: "Python logging.info",
    message: `[INFO]\t2024-05-01T10:00:00.123Z\t${RID}\tFound credentials in environment variables.\n`,
    expected: [
      {
        kind: "app_log",
        format: "text",
        time: "2024-05-01T10:00:00.123Z",
        requestId: RID,
        level: "INFO",
        message: "Found credentials in environment variables.",
      },
    ],
  },
  {
    name: "Python logging.error is an error line",
    message: `[ERROR]\t2024-05-01T10:00:00.123Z\t${RID}\tSomething went wrong\n`,
    expected: [
      {
        kind: "error",
        format: "text",
        source: "app_log",
        time: "2024-05-01T10:00:00.123Z",
        requestId: RID,
        level: "ERROR",
        errorMessage: "Something went wrong",
        oom: false,
      },
    ],
  },
  {
    name: "out of memory: runtime killed, type on the next line",
    message: `RequestId: ${RID} Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n`,
    expected: [
      {
        kind: "error",
        format: "text",
        source: "runtime_exit",
        requestId: RID,
        errorType: "Runtime.ExitError",
        errorMessage: "Runtime exited with error: signal: killed",
        oom: true,
      },
    ],
  },
  {
    name: "out of memory during INIT (no request id)",
    message: "Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n",
    expected: [
      {
        kind: "error",
        format: "text",
        source: "runtime_exit",
        errorType: "Runtime.ExitError",
        errorMessage: "Runtime exited with error: signal: killed",
        oom: true,
      },
    ],
  },
  {
    name: "runtime exit with a status code is not an OOM",
    message: "RequestId: dde1acb5-7158-4518-9547-a5beae8996d2 Error: Runtime exited with error: exit status 106\nRuntime.ExitError\n",
    expected: [
      {
        kind: "error",
        format: "text",
        source: "runtime_exit",
        requestId: "dde1acb5-7158-4518-9547-a5beae8996d2",
        errorType: "Runtime.ExitError",
        errorMessage: "Runtime exited with error: exit status 106",
        oom: false,
      },
    ],
  },
  {
    name: "unknown application error",
    message: "Unknown application error occurred\nRuntime.Unknown\n",
    expected: [
      {
        kind: "error",
        format: "text",
        source: "runtime_exit",
        errorType: "Runtime.Unknown",
        errorMessage: "Unknown application error occurred",
        oom: false,
      },
    ],
  },
  {
    name: "JSON platform.initStart",
    message:
      '{"time":"2024-05-01T10:00:00.000Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init","runtimeVersion":"nodejs:20.v13","runtimeVersionArn":"arn:aws:lambda:us-east-1::runtime:0a25e3e7","functionName":"checkout","functionVersion":"$LATEST"}}\n',
    expected: [
      {
        kind: "init_start",
        format: "json",
        time: "2024-05-01T10:00:00.000Z",
        runtimeVersion: "nodejs:20.v13",
        runtimeVersionArn: "arn:aws:lambda:us-east-1::runtime:0a25e3e7",
        initializationType: "on-demand",
        phase: "init",
        functionName: "checkout",
        functionVersion: "$LATEST",
      },
    ],
  },
  {
    name: "JSON platform.start with tracing",
    message: `{"time":"2024-05-01T10:00:00.200Z","type":"platform.start","record":{"requestId":"${RID}","version":"$LATEST","tracing":{"spanId":"54565fb41ac79632","type":"X-Amzn-Trace-Id","value":"Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1"}}}\n`,
    expected: [
      {
        kind: "start",
        format: "json",
        time: "2024-05-01T10:00:00.200Z",
        requestId: RID,
        version: "$LATEST",
        xrayTraceId: "1-62e900b2-710d76f009d6e7785905449a",
      },
    ],
  },
  {
    name: "JSON platform.runtimeDone",
    message: `{"time":"2024-05-01T10:00:00.300Z","type":"platform.runtimeDone","record":{"requestId":"${RID}","status":"success","metrics":{"durationMs":92.1,"producedBytes":12}}}\n`,
    expected: [
      {
        kind: "platform",
        format: "json",
        eventType: "platform.runtimeDone",
        time: "2024-05-01T10:00:00.300Z",
        requestId: RID,
        status: "success",
        durationMs: 92.1,
        detail: { requestId: RID, status: "success", metrics: { durationMs: 92.1, producedBytes: 12 } },
      },
    ],
  },
  {
    name: "JSON platform.report cold start",
    message: `{"time":"2024-05-01T10:00:00.400Z","type":"platform.report","record":{"requestId":"${RID}","metrics":{"durationMs":92.95,"billedDurationMs":93,"memorySizeMB":512,"maxMemoryUsedMB":80,"initDurationMs":250.12},"tracing":{"spanId":"54565fb41ac79632","type":"X-Amzn-Trace-Id","value":"Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1"},"status":"success"}}\n`,
    expected: [
      {
        kind: "report",
        format: "json",
        time: "2024-05-01T10:00:00.400Z",
        requestId: RID,
        durationMs: 92.95,
        billedDurationMs: 93,
        memorySizeMb: 512,
        maxMemoryUsedMb: 80,
        initDurationMs: 250.12,
        status: "success",
        xrayTraceId: "1-62e900b2-710d76f009d6e7785905449a",
        xraySegmentId: "54565fb41ac79632",
        xraySampled: true,
      },
    ],
  },
  {
    name: "JSON platform.report timeout",
    message: `{"time":"2024-05-01T10:00:03.010Z","type":"platform.report","record":{"requestId":"${RID}","metrics":{"durationMs":3000.0,"billedDurationMs":3000,"memorySizeMB":128,"maxMemoryUsedMB":70},"status":"timeout","errorType":"Sandbox.Timedout"}}`,
    expected: [
      {
        kind: "report",
        format: "json",
        time: "2024-05-01T10:00:03.010Z",
        requestId: RID,
        durationMs: 3000,
        billedDurationMs: 3000,
        memorySizeMb: 128,
        maxMemoryUsedMb: 70,
        status: "timeout",
        errorType: "Sandbox.Timedout",
      },
    ],
  },
  {
    name: "JSON platform.report out of memory, SnapStart restore, not sampled",
    message: `{"time":"2024-05-01T10:00:04.000Z","type":"platform.report","record":{"requestId":"${RID}","metrics":{"durationMs":812.4,"billedDurationMs":1113,"memorySizeMB":256,"maxMemoryUsedMB":256,"restoreDurationMs":300.2,"billedRestoreDurationMs":300},"tracing":{"spanId":"0efbd19962d95b05","type":"X-Amzn-Trace-Id","value":"Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=0"},"status":"error","errorType":"Runtime.OutOfMemory"}}`,
    expected: [
      {
        kind: "report",
        format: "json",
        time: "2024-05-01T10:00:04.000Z",
        requestId: RID,
        durationMs: 812.4,
        billedDurationMs: 1113,
        memorySizeMb: 256,
        maxMemoryUsedMb: 256,
        restoreDurationMs: 300.2,
        billedRestoreDurationMs: 300,
        status: "error",
        errorType: "Runtime.OutOfMemory",
        oom: true,
        xrayTraceId: "1-62e900b2-710d76f009d6e7785905449a",
        xraySegmentId: "0efbd19962d95b05",
        xraySampled: false,
      },
    ],
  },
  {
    name: "JSON Node app log",
    message: `{"timestamp":"2024-05-01T10:00:00.250Z","level":"INFO","requestId":"${RID}","message":"processing order 42"}\n`,
    expected: [
      {
        kind: "app_log",
        format: "json",
        time: "2024-05-01T10:00:00.250Z",
        requestId: RID,
        level: "INFO",
        message: "processing order 42",
      },
    ],
  },
  {
    name: "JSON Node Invoke Error (error object nested in message)",
    message: `{"timestamp":"2024-05-01T10:00:00.260Z","level":"ERROR","requestId":"${RID}","message":{"errorType":"TypeError","errorMessage":"x is undefined","stackTrace":["TypeError: x is undefined","    at handler (/var/task/index.js:2:9)"]}}\n`,
    expected: [
      {
        kind: "error",
        format: "json",
        source: "app_log",
        time: "2024-05-01T10:00:00.260Z",
        requestId: RID,
        level: "ERROR",
        errorType: "TypeError",
        errorMessage: "x is undefined",
        stack: ["TypeError: x is undefined", "    at handler (/var/task/index.js:2:9)"],
        oom: false,
      },
    ],
  },
  {
    name: "JSON app log at ERROR with top-level errorType",
    message: `{"timestamp":"2024-05-01T10:00:00.270Z","level":"ERROR","requestId":"${RID}","message":"charge failed","errorType":"CardDeclined","errorMessage":"insufficient funds","stackTrace":["CardDeclined: insufficient funds"]}`,
    expected: [
      {
        kind: "error",
        format: "json",
        source: "app_log",
        time: "2024-05-01T10:00:00.270Z",
        requestId: RID,
        level: "ERROR",
        errorType: "CardDeclined",
        errorMessage: "insufficient funds",
        stack: ["CardDeclined: insufficient funds"],
        oom: false,
      },
    ],
  },
  {
    name: "JSON Python uncaught exception (log_level)",
    message: `{"timestamp": "2024-05-01T10:00:00Z", "log_level": "ERROR", "errorMessage": "bad input", "errorType": "ValueError", "requestId": "${RID}", "stackTrace": ["  File \\"/var/task/app.py\\", line 5, in handler\\n    raise ValueError(\\"bad input\\")\\n"]}`,
    expected: [
      {
        kind: "error",
        format: "json",
        source: "app_log",
        time: "2024-05-01T10:00:00Z",
        requestId: RID,
        level: "ERROR",
        errorType: "ValueError",
        errorMessage: "bad input",
        stack: ['  File "/var/task/app.py", line 5, in handler\n    raise ValueError("bad input")\n'],
        oom: false,
      },
    ],
  },
  {
    name: "JSON Powertools logger line",
    message:
      '{"level":"WARN","message":"slow downstream","timestamp":"2024-05-01T10:00:00.280Z","service":"orders","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e812345678","cold_start":false}',
    expected: [
      {
        kind: "app_log",
        format: "json",
        time: "2024-05-01T10:00:00.280Z",
        requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
        level: "WARN",
        message: "slow downstream",
      },
    ],
  },
  {
    name: "EMF metric line is unparsed",
    message:
      '{"_aws":{"Timestamp":1714557600000,"CloudWatchMetrics":[{"Namespace":"orders","Dimensions":[["service"]],"Metrics":[{"Name":"Placed","Unit":"Count"}]}]},"service":"orders","Placed":1}\n',
    expected: [{ kind: "unparsed", reason: "embedded metric format (EMF) record" }],
  },
  {
    name: "plain print() output is unparsed",
    message: "hello from print\n",
    expected: [{ kind: "unparsed", reason: "unrecognized line" }],
  },
  {
    name: "a REPORT without Billed Duration is unparsed",
    message: `REPORT RequestId: ${RID}\tDuration: 1.00 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\n`,
    expected: [{ kind: "unparsed", reason: "REPORT line without a numeric Billed Duration" }],
  },
  {
    name: "invalid JSON is unparsed",
    message: '{"time":"2024-05-01T10:00:00.000Z","type":"platform.report","record":{',
    expected: [{ kind: "unparsed", reason: "invalid JSON" }],
  },
  { name: "empty message", message: "\n\n", expected: [] },
];

describe("parseLambdaLogMessage", () => {
  it.each(messageCases)("$name", ({ message, expected }) => {
    expect(parseLambdaLogMessage(message)).toEqual(expected);
  });

  it("keeps START/app/END lines of one message separate", () => {
    const out = parseLambdaLogMessage(
      `START RequestId: ${RID} Version: $LATEST\n2024-05-01T10:00:00.000Z\t${RID}\tINFO\thi\nEND RequestId: ${RID}\n`,
    );
    expect(out.map((l) => l.kind)).toEqual(["start", "app_log", "end"]);
  });

  it("does not attach an XRAY line to a report that already has one", () => {
    const out = parseLambdaLogMessage(
      `REPORT RequestId: ${RID}\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB\tXRAY TraceId: 1-a-b\tSegmentId: s\tSampled: true\nXRAY TraceId: 1-c-d\tSegmentId: t\tSampled: true\n`,
    );
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ kind: "report", xrayTraceId: "1-a-b" });
    expect(out[1]).toMatchObject({ kind: "platform", eventType: "xray", xrayTraceId: "1-c-d" });
  });
});

describe("parseLambdaLogLine", () => {
  it("parses a Python traceback joined with carriage returns", () => {
    const line = parseLambdaLogLine("[ERROR] KeyError: 'id'\rTraceback (most recent call last):\r  File \"/var/task/app.py\", line 3, in handler");
    expect(line).toEqual({
      kind: "error",
      format: "text",
      source: "python_uncaught",
      level: "ERROR",
      errorType: "KeyError",
      errorMessage: "'id'",
      stack: ["Traceback (most recent call last):", '  File "/var/task/app.py", line 3, in handler'],
      oom: false,
    });
  });

  it("parses REPORT and XRAY even when handed the whole two-line message", () => {
    const line = parseLambdaLogLine(
      `REPORT RequestId: ${RID}\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\nXRAY TraceId: 1-abc-def\tSegmentId: 0123\tSampled: true\t\n`,
    );
    expect(line).toMatchObject({ kind: "report", durationMs: 2, xrayTraceId: "1-abc-def", xraySampled: true });
  });

  it("returns a standalone XRAY line as a platform event", () => {
    expect(parseLambdaLogLine("XRAY TraceId: 1-abc-def\tSegmentId: 0123\tSampled: true")).toEqual({
      kind: "platform",
      format: "text",
      eventType: "xray",
      xrayTraceId: "1-abc-def",
      xraySegmentId: "0123",
      xraySampled: true,
    });
  });

  it.each([
    ["", "empty line"],
    ["START RequestId:", "unrecognized line"],
    ["END RequestId: ", "unrecognized line"],
    ["END RequestId: a b", "malformed END line"],
    ["REPORT RequestId: \tDuration: 1 ms", "REPORT line without RequestId"],
    [`REPORT RequestId: ${RID}\tDuration: abc ms\tBilled Duration: 1 ms\tMemory Size: 1 MB\tMax Memory Used: 1 MB`, "REPORT line without a numeric Duration"],
    ["INIT_STARTED", "unrecognized line"],
    ["[nope", "unrecognized line"],
    ["2024-05-01T10:00:00.000Z\tonlytwo", "timestamped line without request id and level"],
    ['{"level":', "invalid JSON"],
    ["[1,2]", "unrecognized line"],
    ["[]", "unrecognized line"],
    ['"just a string"', "unrecognized line"],
    ['{"type":"other"}', "JSON object without level or platform type"],
    ['{"type":"platform.report","record":{"requestId":"x","metrics":{}}}', "REPORT line without a numeric Duration"],
    // 400 digits overflow a double: never a report with Infinity (printed as null by JSON.stringify).
    [`REPORT RequestId: ${RID}\tDuration: ${"9".repeat(400)} ms\tBilled Duration: 1 ms\tMemory Size: 1 MB\tMax Memory Used: 1 MB\t`, "REPORT line without a numeric Duration"],
    [`REPORT RequestId: ${RID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 1${"0".repeat(400)} MB\tMax Memory Used: 1 MB\t`, "REPORT line without a numeric Memory Size"],
    ['{"type":"platform.report","record":{"requestId":"x","metrics":{"durationMs":1e999,"billedDurationMs":1,"memorySizeMB":1,"maxMemoryUsedMB":1}}}', "REPORT line without a numeric Duration"],
    [`2024-01-29T16:41:15.998Z ${RID} Task timed out after ${"9".repeat(400)} seconds`, "malformed timeout line"],
  ])("%j -> unparsed (%s)", (input, reason) => {
    expect(parseLambdaLogLine(input)).toEqual({ kind: "unparsed", reason });
  });

  it("drops an optional REPORT figure that overflows instead of reporting Infinity", () => {
    const line = parseLambdaLogLine(
      `REPORT RequestId: ${RID}\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: ${"9".repeat(400)} ms\t`,
    );
    expect(line).toEqual({ kind: "report", format: "text", requestId: RID, durationMs: 1.5, billedDurationMs: 2, memorySizeMb: 128, maxMemoryUsedMb: 60 });
  });

  it("never throws on non-string input", () => {
    expect(parseLambdaLogLine(undefined as unknown as string).kind).toBe("unparsed");
    expect(parseLambdaLogMessage(42 as unknown as string)).toEqual([{ kind: "unparsed", reason: "not a string" }]);
  });

  it("exports every kind", () => {
    const kinds = new Set(messageCases.flatMap((c) => c.expected.map((l) => l.kind)));
    for (const k of kinds) expect(LOG_LINE_KINDS).toContain(k);
    expect(kinds.size).toBe(LOG_LINE_KINDS.length);
  });
});

describe("toParseLogsJson", () => {
  it("flattens a text REPORT without status", () => {
    const [line] = parseLambdaLogMessage(
      `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t\nXRAY TraceId: 1-5e34a614-10bd4b4ff1fb44f07bc535a1\tSegmentId: 3d752a1be1bbe37e\tSampled: true\t\n`,
    );
    const json = toParseLogsJson(line);
    expect(json).toEqual({
      kind: "report",
      requestId: RID,
      durationMs: 15.74,
      billedDurationMs: 16,
      memorySizeMb: 128,
      maxMemoryUsedMb: 56,
      initDurationMs: 130.49,
      xrayTraceId: "1-5e34a614-10bd4b4ff1fb44f07bc535a1",
    });
    expect(Object.keys(json)).toEqual([
      "kind",
      "requestId",
      "durationMs",
      "billedDurationMs",
      "memorySizeMb",
      "maxMemoryUsedMb",
      "initDurationMs",
      "xrayTraceId",
    ]);
  });

  it("gives timeouts status timeout", () => {
    const line = parseLambdaLogLine("2024-01-01T00:00:03.012Z 0c1b2a3d-1111-2222-3333-444455556666 Task timed out after 3.00 seconds");
    expect(toParseLogsJson(line)).toEqual({
      kind: "timeout",
      requestId: "0c1b2a3d-1111-2222-3333-444455556666",
      status: "timeout",
      timeoutSeconds: 3,
    });
  });

  it("keeps JSON success status and maps start/app_log/error/unparsed", () => {
    const report = parseLambdaLogLine(
      `{"time":"t","type":"platform.report","record":{"requestId":"r1","metrics":{"durationMs":1.5,"billedDurationMs":2,"memorySizeMB":128,"maxMemoryUsedMB":60,"restoreDurationMs":300.5},"status":"success"}}`,
    );
    expect(toParseLogsJson(report)).toEqual({
      kind: "report",
      requestId: "r1",
      durationMs: 1.5,
      billedDurationMs: 2,
      memorySizeMb: 128,
      maxMemoryUsedMb: 60,
      restoreDurationMs: 300.5,
      status: "success",
    });
    expect(toParseLogsJson(parseLambdaLogLine(`START RequestId: ${RID} Version: 3`))).toEqual({
      kind: "start",
      requestId: RID,
      version: "3",
    });
    expect(toParseLogsJson(parseLambdaLogLine(`2024-05-01T10:00:00.000Z\t${RID}\tDEBUG\tx`))).toEqual({
      kind: "app_log",
      requestId: RID,
      level: "DEBUG",
    });
    expect(toParseLogsJson(parseLambdaLogLine("[ERROR] ValueError: bad"))).toEqual({
      kind: "error",
      errorType: "ValueError",
      errorMessage: "bad",
      level: "ERROR",
    });
    expect(toParseLogsJson(parseLambdaLogLine("garbage"))).toEqual({ kind: "unparsed" });
  });

  it.each([
    [
      "INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0a25e3e7\t",
      { kind: "init_start", runtimeVersion: "nodejs:20.v13" },
    ],
    [
      '{"time":"2024-05-01T10:00:00.000Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init","runtimeVersion":"python:3.12.v18","functionName":"orders","functionVersion":"$LATEST"}}',
      { kind: "init_start", runtimeVersion: "python:3.12.v18" },
    ],
    [
      `{"time":"2024-05-01T10:00:00.300Z","type":"platform.runtimeDone","record":{"requestId":"${RID}","status":"error","errorType":"Runtime.ExitError","metrics":{"durationMs":290.5,"producedBytes":0}}}`,
      { kind: "platform", eventType: "platform.runtimeDone", requestId: RID, durationMs: 290.5, status: "error", errorType: "Runtime.ExitError" },
    ],
    [
      "INIT_REPORT Init Duration: 154.03 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\t",
      { kind: "platform", eventType: "platform.initReport", durationMs: 154.03, status: "error", errorType: "Runtime.ExitError" },
    ],
    [
      "XRAY TraceId: 1-5e34a614-10bd4b4ff1fb44f07bc535a1\tSegmentId: 3d752a1be1bbe37e\tSampled: true\t",
      { kind: "platform", eventType: "xray", xrayTraceId: "1-5e34a614-10bd4b4ff1fb44f07bc535a1" },
    ],
  ])("names the platform event and runtime version: %s", (input, expected) => {
    const json = toParseLogsJson(parseLambdaLogLine(input));
    expect(json).toEqual(expected);
    expect(Object.keys(json)).toEqual(Object.keys(expected));
  });
});
