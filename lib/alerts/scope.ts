/** Scope matching for alert rules (pure): names and globs (`*`, `?`) and function tags. */

const cache = new Map<string, RegExp>();

/** A glob as an anchored, case-sensitive RegExp (`*` any run, `?` one character). */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${body}$`, "s");
    if (cache.size > 1000) cache.clear();
    cache.set(glob, re);
  }
  return re;
}

/** Whether a name matches one of the patterns; no patterns (undefined or empty) matches everything. */
export function matchesAny(name: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => (p.includes("*") || p.includes("?") ? globToRegExp(p).test(name) : p === name));
}

/** Whether a name matches none of the exclusions. */
export function notExcluded(name: string, exclude: readonly string[] | undefined): boolean {
  return !exclude || exclude.length === 0 || !matchesAny(name, exclude);
}

/** Whether every wanted tag is present with a value matching its pattern. */
export function matchesTags(tags: Record<string, string>, wanted: Record<string, string> | undefined): boolean {
  if (!wanted) return true;
  return Object.entries(wanted).every(([k, pattern]) => tags[k] !== undefined && matchesAny(tags[k], [pattern]));
}

/** Parses LambdaFunction.tagsJson leniently (bad JSON = no tags). */
export function parseTags(tagsJson: string | null | undefined): Record<string, string> {
  try {
    const v: unknown = JSON.parse(tagsJson ?? "{}");
    if (!v || typeof v !== "object" || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return {};
  }
}

export interface FunctionSelector {
  sources?: string[];
  functions?: string[];
  exclude?: string[];
  tags?: Record<string, string>;
}

/** The functions a scope selects (by source, name or glob, tags, minus exclusions). */
export function selectFunctions<T extends { name: string; source: string; tags: Record<string, string> }>(fns: readonly T[], scope: FunctionSelector): T[] {
  return fns.filter((f) => matchesAny(f.source, scope.sources) && matchesAny(f.name, scope.functions) && notExcluded(f.name, scope.exclude) && matchesTags(f.tags, scope.tags));
}
