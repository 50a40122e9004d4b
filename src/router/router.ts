import type { Compressor, ContentSample, ContentType } from "../compressors/types.js";

/**
 * Decides which compressors to try, best first. A `content_type` hint goes first; then every
 * compressor that recognises the content, by confidence. The caller tries them in turn, so a
 * hint that turns out wrong (JSON hint on a log) falls through to detection instead of failing.
 */
export interface RouteCandidate {
  compressor: Compressor;
  reason: string;
}

export interface RouteHints {
  contentType?: ContentType | undefined;
}

const MIN_CONFIDENCE = 0.05;

export function routeCandidates(sample: ContentSample, hints: RouteHints, compressors: readonly Compressor[]): RouteCandidate[] {
  const candidates: RouteCandidate[] = [];
  if (hints.contentType) {
    const hinted = compressors.find((c) => c.contentType === hints.contentType);
    if (hinted) candidates.push({ compressor: hinted, reason: `content_type hint "${hints.contentType}"` });
  }
  const detected = compressors
    .map((compressor, order) => ({ compressor, order, confidence: compressor.detect(sample) }))
    .filter((d) => d.confidence >= MIN_CONFIDENCE)
    .sort((a, b) => b.confidence - a.confidence || a.order - b.order);
  for (const d of detected) {
    if (candidates.some((c) => c.compressor === d.compressor)) continue;
    candidates.push({ compressor: d.compressor, reason: `detected ${d.compressor.contentType} (confidence ${d.confidence.toFixed(2)})` });
  }
  return candidates;
}
