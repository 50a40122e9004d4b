import type { Readable, Writable } from "node:stream";
import { deserializeMessage, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * MCP over stdin/stdout, one JSON-RPC message per line, for lines as long as tool outputs get.
 * The SDK's transport re-concatenates its whole buffer for every 64 KB chunk and searches it from
 * the start (a 40 MB request line blocked the server for 8 s), and closes itself, ending the server,
 * on a line over its 10 MiB limit. Here each chunk is searched once, a line is joined once, and a
 * line over the limit is skipped and answered with an error naming its request id.
 */
export const REQUEST_TOO_LARGE = -32600;
/** Where a request's id is found in a line too long to keep: clients write it last. */
const ID_TAIL_BYTES = 512;

export class LineStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private size = 0;
  /** Set while the rest of a line over the limit is discarded; holds its last bytes. */
  private skipping: Buffer | undefined;

  constructor(
    private readonly maxLineBytes: number,
    private readonly input: Readable = process.stdin,
    private readonly output: Writable = process.stdout,
  ) {}

  async start(): Promise<void> {
    this.input.on("data", this.onData);
    this.input.on("error", this.onInputError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(serializeMessage(message))) resolve();
      else this.output.once("drain", resolve);
    });
  }

  async close(): Promise<void> {
    this.input.off("data", this.onData);
    this.input.off("error", this.onInputError);
    if (this.input.listenerCount("data") === 0) this.input.pause();
    this.chunks = [];
    this.size = 0;
    this.skipping = undefined;
    this.onclose?.();
  }

  private readonly onInputError = (error: Error) => this.onerror?.(error);

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      this.take(chunk.subarray(start, newline), true);
      start = newline + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start), false);
  };

  /** Adds part of a line; `ends` when a newline followed it. */
  private take(part: Buffer, ends: boolean): void {
    if (this.skipping) {
      this.skipping = lastBytes(Buffer.concat([this.skipping, part]));
      if (ends) this.rejectTooLarge(this.skipping);
      return;
    }
    if (this.size + part.length > this.maxLineBytes) {
      this.skipping = lastBytes(Buffer.concat([...this.chunks, part].slice(-2)));
      this.chunks = [];
      this.size = 0;
      if (ends) this.rejectTooLarge(this.skipping);
      return;
    }
    if (!ends) {
      this.chunks.push(part);
      this.size += part.length;
      return;
    }
    const line = this.chunks.length === 0 ? part : Buffer.concat([...this.chunks, part]);
    this.chunks = [];
    this.size = 0;
    this.deliver(line.toString("utf8").replace(/\r$/, ""));
  }

  private deliver(text: string): void {
    if (text.trim() === "") return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(text);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.onmessage?.(message);
  }

  private rejectTooLarge(tail: Buffer): void {
    this.skipping = undefined;
    const error = new Error(`a request line over ${this.maxLineBytes} bytes was skipped`);
    this.onerror?.(error);
    const id = /"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)\s*}\s*$/.exec(tail.toString("utf8"))?.[1];
    if (id === undefined) return;
    void this.send({
      jsonrpc: "2.0",
      id: JSON.parse(id) as string | number,
      error: { code: REQUEST_TOO_LARGE, message: `too_large: the request is over ${this.maxLineBytes} bytes; pass less content (see --max-input-mb)` },
    });
  }
}

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length > ID_TAIL_BYTES ? Buffer.from(buffer.subarray(buffer.length - ID_TAIL_BYTES)) : buffer;
}
