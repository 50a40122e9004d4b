/**
 * A client for an OpenAI-compatible `POST /v1/embeddings` endpoint: what Ollama, LM Studio,
 * llama.cpp's server, vLLM and text-embeddings-inference expose. Only used when the user
 * configured one (`--embeddings URL`); nothing is sent anywhere otherwise.
 */
export interface EmbeddingsConfig {
  /** The server's base URL (`http://127.0.0.1:11434/v1`) or the full `/embeddings` URL. */
  url: string;
  model: string;
  /** Sent as a bearer token, for servers that want one. */
  apiKey?: string | undefined;
}

/** For the start-up line: whether memory search goes by meaning too, and through what. */
export function describeEmbeddings(config: EmbeddingsConfig | undefined): string {
  return config ? `memory search by words and meaning (${config.model} at ${embeddingsEndpoint(config.url)})` : "memory search by words (no --embeddings)";
}

export class EmbeddingsUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddingsUnavailable";
  }
}

/** The endpoint a base URL stands for: `…/v1` → `…/v1/embeddings`; a bare host gets `/v1/embeddings`. */
export function embeddingsEndpoint(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  if (/\/embeddings$/.test(trimmed)) return trimmed;
  if (/\/v\d+$/.test(trimmed)) return `${trimmed}/embeddings`;
  return `${trimmed}/v1/embeddings`;
}

export class EmbeddingsClient {
  readonly endpoint: string;

  constructor(readonly config: EmbeddingsConfig) {
    this.endpoint = embeddingsEndpoint(config.url);
  }

  /** Unit-length vectors for `texts`, in order; throws EmbeddingsUnavailable on any failure. */
  async embed(texts: readonly string[], timeoutMs: number): Promise<Float32Array[]> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}) },
        body: JSON.stringify({ model: this.config.model, input: texts }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const why = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (cause ?? (error as Error).message);
      throw new EmbeddingsUnavailable(`${this.endpoint} did not answer (${why})`);
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => "")).slice(0, 200).replace(/\s+/g, " ");
      throw new EmbeddingsUnavailable(`${this.endpoint} answered HTTP ${response.status}${body ? `: ${body}` : ""}`);
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      throw new EmbeddingsUnavailable(`${this.endpoint} answered with something that is not JSON`);
    }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length !== texts.length) throw new EmbeddingsUnavailable(`${this.endpoint} answered without one embedding per input`);
    const vectors: Float32Array[] = new Array(texts.length);
    for (const [position, item] of data.entries()) {
      const { embedding, index } = item as { embedding?: unknown; index?: unknown };
      if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((x) => typeof x === "number" && Number.isFinite(x))) {
        throw new EmbeddingsUnavailable(`${this.endpoint} answered with an embedding that is not a list of numbers`);
      }
      vectors[typeof index === "number" && index >= 0 && index < texts.length ? index : position] = normalised(embedding as number[]);
    }
    const dims = vectors[0]!.length;
    if (vectors.some((v) => v === undefined || v.length !== dims)) throw new EmbeddingsUnavailable(`${this.endpoint} answered with embeddings of different sizes`);
    return vectors;
  }
}

function normalised(values: readonly number[]): Float32Array {
  const v = Float32Array.from(values);
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

/** Stored with the memory as base64 of its float32 bytes (a third of the size of a JSON list). */
export function encodeVector(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

export function decodeVector(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}
