// Worker entry: loads the TypeScript writer thread through tsx (workers do not inherit loader hooks on Node 20).
import { register } from "tsx/esm/api";

register();
await import("./writer-thread.ts");
