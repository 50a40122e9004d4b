import { readJson } from "../compressors/json/parse.js";
import type { ContentSample } from "../compressors/types.js";

/** Wraps the content once per request so detectors share one (lazy) JSON parse. */
export function createSample(text: string, toolName: string | undefined, parsed?: { value: unknown }): ContentSample {
  let json: { value: unknown } | null | undefined = parsed;
  return {
    text,
    toolName,
    json() {
      if (json === undefined) {
        try {
          json = { value: readJson(text) };
        } catch {
          json = null;
        }
      }
      return json ?? undefined;
    },
  };
}
