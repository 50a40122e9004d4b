/** Library API: the same engine the MCP server uses. */
export { createHeadroom, type Headroom, type HeadroomOptions } from "./headroom.js";
export { compressToolResult, withCompression, closeDefaultHeadroom, type CompressionOptions } from "./library.js";
export { compressCallResult, type ForwardSettings, type Forwarded } from "./gateway/forward.js";
export { Engine, defaultBudget, type CompressRequest, type CompressResult, type RetrieveRequest, type RetrieveResult, type StatsResult } from "./engine/engine.js";
export { HeadroomError, InputError, TooLargeError, UnknownHashError, ExpiredHashError } from "./engine/errors.js";
export { CcrStore, type EntryMeta, type StoreInfo } from "./ccr/store.js";
export { openBackend, type Backend, type StoreLocation } from "./ccr/backend.js";
export { contentHash, HASH_PATTERN } from "./ccr/hash.js";
export { omissionMarker, MARKER_HASH_PATTERN } from "./ccr/marker.js";
export { TokenCounter } from "./tokens/counter.js";
export { StatsRecorder } from "./stats/stats.js";
export { createMcpServer } from "./server/server.js";
export { createLogger, type Logger } from "./log.js";
export { createCompressors } from "./compressors/index.js";
export type { Compressor, ContentType } from "./compressors/types.js";
