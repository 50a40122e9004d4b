import { TokenCounter } from "../../src/tokens/counter.js";

/** One loaded counter per test file (loading takes ~0.5 s). */
export async function loadedCounter(): Promise<TokenCounter> {
  const counter = new TokenCounter();
  await counter.warmUp();
  return counter;
}
