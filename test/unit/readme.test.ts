/** The README's first screen: one paragraph, then exactly the two commands, each doing its own set-up. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const lines = readme.split("\n");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

describe("README first screen", () => {
  const fenceOpen = lines.findIndex((l) => l.startsWith("```"));
  const fenceClose = lines.findIndex((l, i) => i > fenceOpen && l.startsWith("```"));

  it("says what Faasight is in one paragraph under the title", () => {
    expect(lines[0]).toBe("# Faasight");
    const intro = lines.slice(1, fenceOpen).join("\n").trim();
    expect(intro.split(/\n\s*\n/)).toHaveLength(1);
    expect(intro).toMatch(/^Faasight is an open-source, self-hosted observability and cost dashboard for AWS\s+serverless/);
  });

  it("then shows exactly two commands, npm start and npm test, within the first 25 lines", () => {
    expect(fenceOpen).toBeGreaterThan(0);
    expect(fenceClose).toBeLessThan(25);
    const commands = lines.slice(fenceOpen + 1, fenceClose).map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
    expect(commands).toEqual(["npm start", "npm test"]);
    const beforeConfiguration = lines.slice(fenceClose + 1, lines.indexOf("## Configuration")).join("\n");
    expect(beforeConfiguration).not.toContain("```");
  });

  it("both commands set a fresh clone up first (dependencies, Prisma clients, migrations)", () => {
    expect(pkg.scripts.start).toMatch(/^sh scripts\/ensure-setup\.sh && /);
    expect(pkg.scripts.test).toMatch(/^sh scripts\/ensure-setup\.sh && /);
    const setup = fs.readFileSync(path.join(ROOT, "scripts/ensure-setup.sh"), "utf8");
    expect(setup).toMatch(/npm ci/);
    expect(setup).toMatch(/db:generate/);
    expect(setup).toMatch(/faasight\.js migrate/);
    for (const step of ["typecheck", "lint", "test:unit", "test:integration", "test:e2e"]) expect(pkg.scripts.test).toContain(`npm run ${step}`);
  });

  it("is what CI runs: .ci/run installs dependencies, then runs the README's test command", () => {
    const ci = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8").split("\n");
    expect(ci).toContain("npm ci --no-audit --no-fund");
    expect(ci).toContain("npm test");
    expect(ci.indexOf("npm test")).toBeGreaterThan(ci.indexOf("npm ci --no-audit --no-fund"));
  });

  it("has a configuration section on variables, AWS credentials and PostgreSQL", () => {
    const config = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
    expect(config).toContain("`DATABASE_URL`");
    expect(config).toMatch(/### Collecting from your AWS account/);
    expect(config).toMatch(/credential/i);
    expect(config).toMatch(/### Database/);
    expect(config).toMatch(/DATABASE_URL=postgresql:\/\/\S+ npm run db:migrate/);
  });
});

describe("project layout", () => {
  it.each(["package.json", "package-lock.json", "next.config.js", "app", "components", "lib", "prisma", "test", "public", "bin/faasight.js", ".ci/run", "README.md"])("%s is there", (p) => {
    expect(fs.existsSync(path.join(ROOT, p))).toBe(true);
  });

  it(".ci/run is executable", () => {
    expect(fs.statSync(path.join(ROOT, ".ci/run")).mode & 0o111).not.toBe(0);
  });
});
