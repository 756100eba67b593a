/**
 * The worker side of ThreadWriter (writer-thread.ts): builds its own SDK clients for the
 * target and makes the calls of the write requests it receives, reporting progress (for
 * back-pressure), statistics and errors back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createAwsClients } from "../aws/clients.ts";
import type { FromWorker, ToWorker, WriterThreadConfig } from "./writer-thread.ts";
import { SdkSender, type WriteRequest } from "./writer.ts";

const port = parentPort;
if (!port) throw new Error("writer-worker.ts runs in a worker thread (see ThreadWriter)");
const config = workerData as WriterThreadConfig;
const post = (m: FromWorker) => port.postMessage(m);
const clients = createAwsClients(config.target);
const sender = new SdkSender(clients, {
  concurrency: config.concurrency,
  queueUrls: config.queueUrls,
  knownGroups: config.knownGroups,
  onError: (operation, err) => {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: "error", operation, name: e.name, message: e.message });
  },
});

let completed = 0;
let reporting = false;
// One progress message per turn of the event loop, however many calls finished in it.
const report = () => {
  reporting = false;
  post({ type: "progress", completed, stats: { ...sender.stats } });
};
const finished = () => {
  completed++;
  if (!reporting) {
    reporting = true;
    setImmediate(report);
  }
};

port.on("message", (m: ToWorker) => {
  if (m.type === "request") {
    const r = m.request;
    // Bodies arrive as plain Uint8Arrays (a transferred buffer); the SDK sends them as they are.
    sender.send(r.kind === "metrics" ? ({ ...r, body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength) } as WriteRequest) : r, finished);
    return;
  }
  const id = m.id;
  sender
    .drain()
    .then(() => {
      if (m.type === "close") clients.destroy();
      post({ type: "ack", id, completed, stats: { ...sender.stats } });
    })
    .catch((err: unknown) => post({ type: "fatal", message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
