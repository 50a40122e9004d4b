/**
 * Memories outlive conversations and may be shared between tools, so credentials must not go
 * into them. Each pattern names what it found; the match itself is never echoed back.
 */
const SECRETS: ReadonlyArray<[string, RegExp]> = [
  ["a private key", /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/],
  ["an OpenAI/Anthropic-style API key (sk-…)", /\bsk-(?:[A-Za-z0-9_-]*-)?[A-Za-z0-9]{20,}/],
  ["a GitHub token (ghp_/gho_/ghs_/github_pat_…)", /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/],
  ["an AWS access key id", /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["an AWS secret access key", /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{40}/i],
  ["a bearer token", /\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/],
  ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  ["a Google API key", /\bAIza[0-9A-Za-z_-]{35}\b/],
  ["a password assignment", /\b(?:password|passwd|secret)\s*[=:]\s*["']?[^\s"']{8,}/i],
];

/** What kind of secret the text holds, or undefined. */
export function findSecret(text: string): string | undefined {
  for (const [what, pattern] of SECRETS) if (pattern.test(text)) return what;
  return undefined;
}
