import type { LogLine } from "@/lib/queries/functions/list-log-lines";

const ERROR_LINE = /\b(ERROR|Error|Exception|Task timed out|Runtime\.\w+|"level":"ERROR")/;

/** Log lines with their time; error lines stand out. */
export function LogLines({ lines, testId }: { lines: LogLine[]; testId?: string }) {
  return (
    <pre className="logs" data-testid={testId ?? "log-lines"}>
      {lines.map((l, i) => (
        <span key={i} className={ERROR_LINE.test(l.message) ? "err" : undefined}>
          <span className="ts">{l.timestamp.slice(11, 23)} </span>
          {l.message.replace(/\n$/, "")}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}
