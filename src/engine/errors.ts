/**
 * Typed errors at the edges. Each carries a stable `code` and a message that tells the caller
 * (usually a model) what to do next; the MCP layer turns them into `isError` tool results.
 */
export type ErrorCode = "invalid_input" | "too_large" | "unknown_hash" | "expired_hash" | "unknown_memory" | "store_unavailable";

export class HeadroomError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HeadroomError";
  }
}

export class InputError extends HeadroomError {
  constructor(message: string) {
    super("invalid_input", message);
  }
}

export class TooLargeError extends HeadroomError {
  constructor(bytes: number, limit: number) {
    super(
      "too_large",
      `content is ${formatBytes(bytes)}, over the ${formatBytes(limit)} limit. Pass a smaller slice (for example the part of the output you need), or raise the limit with --max-input-mb / HEADROOM_MAX_INPUT_MB.`,
    );
  }
}

export class UnknownHashError extends HeadroomError {
  constructor(hash: string) {
    super(
      "unknown_hash",
      `no original is stored under hash=${hash}. Check that the hash is copied exactly from a headroom marker (24 hex characters). If it is, it came from a different store (another machine or --store path): re-run the tool that produced the output to get it again.`,
    );
  }
}

export class ExpiredHashError extends HeadroomError {
  constructor(hash: string, reason: "expired" | "evicted" | "lost", ageMs: number) {
    const why =
      reason === "expired"
        ? `has expired: it was not used for longer than the store's time-to-live (last used ${formatAge(ageMs)} ago). Re-run the tool that produced it to get the content again (raise --ttl / HEADROOM_TTL to keep originals longer).`
        : reason === "evicted"
          ? `was evicted to keep the store under its size cap (last used ${formatAge(ageMs)} ago). Re-run the tool that produced it to get the content again (raise --store-max-mb / HEADROOM_STORE_MAX_MB to keep more).`
          : `is missing from the store (deleted outside headroom-mcp). Re-run the tool that produced it to get the content again; compressing it again stores it anew.`;
    super("expired_hash", `the original for hash=${hash} was stored but ${why}`);
  }
}

export class MemoryNotFoundError extends HeadroomError {
  constructor(idOrKey: string) {
    super("unknown_memory", `no memory has the id or key "${idOrKey.slice(0, 80)}" in this project or globally. Use memory_list or memory_search to find the id.`);
  }
}

/** The store failed (full disk, a lock held too long, a damaged file): nothing was lost, the call can be retried later. */
export class StoreUnavailableError extends HeadroomError {
  constructor(readonly detail: string) {
    super("store_unavailable", `the store could not be used: ${detail}. Nothing stored earlier was deleted; try again shortly, and see headroom_stats (store.degraded) for the store's state.`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function formatAge(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}
