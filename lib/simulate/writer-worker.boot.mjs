// Entry of the writer thread (see writer-thread.ts). Worker threads do not inherit the main
// thread's TypeScript loader: register tsx here, then load the worker's TypeScript module.
import { register } from "tsx/esm/api";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
await import("./writer-worker.ts");
