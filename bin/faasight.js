#!/usr/bin/env node
// The `faasight` CLI: loads the TypeScript sources through tsx (a runtime dependency).
import { register } from "tsx/esm/api";

// The pinned SDK versions support Node 20; its notice about future releases is noise in a CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
