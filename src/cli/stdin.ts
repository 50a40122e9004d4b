import { TooLargeError } from "../engine/errors.js";

/** All of stdin, refusing more than `maxBytes` as soon as it is exceeded. */
export async function readStdin(maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new TooLargeError(size, maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
