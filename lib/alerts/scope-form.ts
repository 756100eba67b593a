/** The rule editor's scope fields <-> a rule's scope object (pure, shared by the form and its tests). */

export type ScopeType = "functions" | "aliases" | "stages" | "queues" | "sources" | "cost";

export interface ScopeFields {
  /** Comma-separated names or globs of the scope's main object (functions, stages, queues, sources). */
  names: string;
  /** Comma-separated alias names or globs (alias-scoped kinds). */
  aliases: string;
  /** "key=value" pairs, comma-separated (function-scoped kinds). */
  tags: string;
}

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The scope object for a kind's scope type; empty fields are left out (everything in scope). */
export function scopeFromFields(type: ScopeType, f: ScopeFields): Record<string, unknown> {
  const names = list(f.names);
  const tags = Object.fromEntries(
    list(f.tags)
      .map((p) => p.split("=").map((s) => s.trim()))
      .filter((kv) => kv.length === 2 && kv[0] && kv[1]),
  );
  const withTags = Object.keys(tags).length ? { tags } : {};
  switch (type) {
    case "functions":
    case "cost":
      return { ...(names.length ? { functions: names } : {}), ...withTags };
    case "aliases":
      return { ...(names.length ? { functions: names } : {}), ...(list(f.aliases).length ? { aliases: list(f.aliases) } : {}), ...withTags };
    case "stages":
      return names.length ? { stages: names } : {};
    case "queues":
      return names.length ? { queues: names } : {};
    case "sources":
      return names.length ? { sources: names } : {};
  }
}

/** The form fields of a stored scope. */
export function fieldsFromScope(type: ScopeType, scope: Record<string, unknown>): ScopeFields {
  const key = type === "functions" || type === "cost" || type === "aliases" ? "functions" : type;
  const arr = (v: unknown) => (Array.isArray(v) ? v.map(String).join(", ") : "");
  const tags = scope.tags && typeof scope.tags === "object" ? Object.entries(scope.tags as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(", ") : "";
  return { names: arr(scope[key]), aliases: arr(scope.aliases), tags };
}

/** What the names field holds for a scope type (its label). */
export function namesLabel(type: ScopeType): string {
  return { functions: "Functions", aliases: "Functions", cost: "Functions", stages: "Stages (api/stage)", queues: "Queues", sources: "Sources" }[type];
}
