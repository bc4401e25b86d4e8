/**
 * Model-name aliases. One canonical key serves two purposes: finding a price,
 * and deciding whether the model a relay answered with is the model we asked
 * for (README.md "Relay honesty", model identity).
 *
 * The rules are deliberately conservative. Calling two different models "the
 * same" would hide a relay that swaps gpt-4o for gpt-4o-mini, which is exactly
 * what the mismatch flag exists to catch; so only spellings that cannot name a
 * different model are folded together.
 */

/**
 * Bedrock-style dotted ids: optional cross-region prefix, then a vendor
 * (`us.anthropic.claude-…`, `anthropic.claude-…`, `meta.llama3-…`). The vendor
 * list is closed on purpose: `deepseek.r1` must not turn into `r1`.
 */
const DOTTED_VENDOR = /^(?:(?:us|eu|apac|global|jp|au|ca)\.)?(?:anthropic|meta|mistral|amazon|cohere|ai21|openai|google|qwen)\./;

/** Bedrock's version tail (`-v1:0`, `-v2:0`). The colon is required: `deepseek-v3` is a model, not a version tail. */
const BEDROCK_VERSION = /-v\d+:\d+$/;

/**
 * Snapshot suffixes that only ever mean "a dated copy of the same model":
 * `-2024-08-06`, `-20250929`, `@20240620` (Vertex), `-latest`. Month-day tails
 * such as `-preview-05-06` or OpenAI's `-0613` are left alone: they are not
 * unambiguous dates and some of them were priced differently.
 */
const SNAPSHOT_SUFFIXES: readonly RegExp[] = [
  /@\d{4}-?\d{2}-?\d{2}$/,
  /-\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/,
  /-20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/,
  /-latest$/,
];

/** Lower-cased, trimmed, without `vendor/`, `accounts/x/models/` or Bedrock dotted prefixes. */
export function stripVendorPrefix(name: string): string {
  let s = name.trim().toLowerCase();
  const slash = s.lastIndexOf('/');
  if (slash >= 0) s = s.slice(slash + 1);
  return s.replace(DOTTED_VENDOR, '');
}

/** Removes Bedrock version tails and date/`-latest` snapshot suffixes; reports whether anything was removed. */
function stripSnapshot(name: string): { base: string; stripped: boolean } {
  let s = name.replace(BEDROCK_VERSION, '');
  let stripped = s !== name;
  for (let changed = true; changed; ) {
    changed = false;
    for (const re of SNAPSHOT_SUFFIXES) {
      const next = s.replace(re, '');
      if (next !== s && next.length > 0) {
        s = next;
        changed = true;
        stripped = true;
      }
    }
  }
  return { base: s, stripped };
}

/**
 * Canonical key: case-insensitive, vendor prefixes and snapshot dates removed,
 * and a dot between digits spelled as a dash (`claude-sonnet-4.5` →
 * `claude-sonnet-4-5`, `gpt-4.1` → `gpt-4-1`). Word order is kept, so
 * Anthropic's older `claude-3-5-sonnet` stays distinct from `claude-sonnet-4-5`.
 */
export function normalizeModel(name: string): string {
  const { base } = stripSnapshot(stripVendorPrefix(name));
  return base.replace(/(\d)\.(?=\d)/g, '$1-');
}

/** True when both names denote the same model once aliases are normalised. */
export function sameModel(a: string, b: string): boolean {
  return normalizeModel(a) === normalizeModel(b);
}

/**
 * How far a table key is from its canonical form, for choosing between keys
 * that normalise alike (`gpt-4o`, `gpt-4o-2024-08-06`, `openrouter/openai/gpt-4o`):
 * lower is closer. Prefix depth counts slash segments; a snapshot suffix costs
 * more than any prefix because a dated snapshot may carry an older price.
 */
export function aliasDistance(key: string): number {
  const lower = key.trim().toLowerCase();
  const depth = lower.split('/').length - 1 + (DOTTED_VENDOR.test(lower.slice(lower.lastIndexOf('/') + 1)) ? 1 : 0);
  const { stripped } = stripSnapshot(stripVendorPrefix(key));
  return depth + (stripped ? 100 : 0);
}
