/**
 * The SDK writer on a worker thread: the simulation (main thread) and the SDK's
 * serialization, signing and HTTP (this thread) run on separate cores. Operations arrive
 * in batches, in order; each batch is acknowledged once the writer has room again.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createAwsClients, type AwsTarget } from "../aws/clients.ts";
import { SdkWriter, type SdkWriterOptions } from "./writer.ts";
import type { NamespacedDatum } from "./metrics.ts";
import type { WriterMessage, WriterReply } from "./writer-threaded.ts";

const port = parentPort;
if (!port) throw new Error("writer-thread must run as a worker thread");
const init = workerData as { target: AwsTarget; options: Omit<SdkWriterOptions, "onError"> };
const clients = createAwsClients(init.target);
const reply = (m: WriterReply) => port.postMessage(m);
const writer = new SdkWriter(clients, {
  ...init.options,
  onError: (operation, err) => reply({ type: "error", operation, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }),
});

function parseDatums(json: string): NamespacedDatum[] {
  const datums = JSON.parse(json) as NamespacedDatum[];
  for (const d of datums) if (typeof d.datum.Timestamp === "string") d.datum.Timestamp = new Date(d.datum.Timestamp);
  return datums;
}

port.on("message", (m: WriterMessage) => {
  switch (m.type) {
    case "ops":
      // Applied synchronously on receipt, so operations keep their order across messages.
      for (const op of m.ops) {
        if (op.k === "log") writer.log(op.group, op.stream, op.messages.map((message, i) => ({ timestamp: op.timestamps[i]!, message })));
        else if (op.k === "traces") writer.traces(op.documents);
        else if (op.k === "message") writer.message(op.queue, op.body, op.attributes);
        else writer.metrics(parseDatums(op.json));
      }
      void writer.backpressure().then(() => reply({ type: "ack", id: m.id }));
      return;
    case "flushLogs":
      writer.flushLogs(m.before ?? undefined);
      return;
    case "flush":
      writer.flush();
      return;
    case "drain":
    case "close":
      void writer.drain().then(() => {
        reply({ type: "drained", id: m.id, stats: { ...writer.stats }, errors: [...writer.errors] });
        if (m.type === "close") clients.destroy();
      });
      return;
  }
});
