#!/usr/bin/env node
// The `faasight` CLI: loads the TypeScript sources through tsx (a runtime dependency).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
