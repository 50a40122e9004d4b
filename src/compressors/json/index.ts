import { exactAnchors } from "../../relevance/terms.js";
import type { Compressor, CompressionJob, CompressorOutput, ContentSample } from "../types.js";
import { DocumentFacts } from "./facts.js";
import type { Json } from "./format.js";
import { renderOutline } from "./render.js";

/**
 * JSON crusher. Lossless first: the outline (tables for uniform arrays, constant fields stated
 * once) usually halves a JSON tool output on its own. Only if that is still over the budget does
 * the lossy stage run, cutting arrays down to their informative items (see signals.ts, select.ts).
 */
const RETRIES = 3;
const GIVE_UP_CHARS_PER_BUDGET = 1.5;

export const jsonCompressor: Compressor = {
  name: "json",
  contentType: "json",

  detect(sample: ContentSample): number {
    const first = firstNonSpace(sample.text);
    if (first !== "{" && first !== "[") return 0;
    return sample.json() ? 1 : 0;
  },

  compress(job: CompressionJob): CompressorOutput | null {
    const parsed = job.sample.json();
    if (!parsed) return null;
    const root = parsed.value as Json;
    if (root === null || typeof root !== "object") return null;
    const query = job.query?.trim() ? { text: job.query, anchors: exactAnchors(job.query) } : undefined;
    const options = { hash: job.hash, facts: new DocumentFacts(query) };

    // The lossless outline is only worth counting when it is near the budget; rendering one that
    // is far over it (a 900 KB document for a 4,000-token budget) stops early instead. An outline
    // packs no more characters into a token than its JSON does (at most 1.25× as many, over 60
    // JSON files of this machine: AWS SDK data, schemas, fixtures), so past 1.5× the budget in the
    // JSON's characters it cannot fit.
    const rawCharsPerToken = job.sample.text.length / Math.max(1, job.originalTokens);
    let charsPerToken = rawCharsPerToken;
    const giveUpAboveChars = job.budgetTokens * GIVE_UP_CHARS_PER_BUDGET * rawCharsPerToken;
    // the values alone over that: no need to render it to see it will not fit
    const lossless = options.facts.outlineLowerBound(root) > giveUpAboveChars ? undefined : renderOutline(root, Infinity, options, giveUpAboveChars);
    if (lossless) {
      const losslessTokens = job.countTokens(lossless.text);
      if (losslessTokens <= job.budgetTokens) return lossless;
      charsPerToken = lossless.text.length / Math.max(1, losslessTokens);
    }
    let budgetChars = job.budgetTokens * charsPerToken;
    let best = renderOutline(root, budgetChars, options);
    let tokens = job.countTokens(best.text);
    for (let attempt = 0; attempt < RETRIES && tokens > job.budgetTokens * 1.1; attempt++) {
      budgetChars *= (job.budgetTokens / tokens) * 0.9;
      const next = renderOutline(root, budgetChars, options);
      if (next.text.length >= best.text.length) break; // only must-keep items left
      best = next;
      tokens = job.countTokens(best.text);
    }
    // A deep tree of small objects (`npm ls --all --json`) has no big array to cut: its levels
    // below some depth are folded instead, the deepest first, until it fits.
    for (let depth = maxDepth(root) - 1; depth >= 1 && tokens > job.budgetTokens * 1.1; depth--) {
      const folded = renderOutline(root, budgetChars, { ...options, collapseBelow: depth });
      const foldedTokens = job.countTokens(folded.text);
      if (foldedTokens >= tokens) continue;
      best = folded;
      tokens = foldedTokens;
    }
    return best;
  },
};

/** How deep the containers of a document go (a scalar root is 0). */
function maxDepth(value: Json, depth = 0): number {
  if (value === null || typeof value !== "object" || depth > 200) return depth;
  let deepest = depth + 1;
  if (Array.isArray(value)) for (const item of value) deepest = Math.max(deepest, maxDepth(item, depth + 1));
  else for (const key in value) deepest = Math.max(deepest, maxDepth((value as Record<string, Json>)[key]!, depth + 1));
  return deepest;
}

function firstNonSpace(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t" && c !== "\uFEFF") return c;
  }
  return undefined;
}
