import { isFillerBody, isPasswordValue, isStandIn, isTokenValue } from "./secret-values.js";

/**
 * Memories are stored in plain text and outlive conversations, so credentials must not go into
 * them. Two kinds of check:
 *
 * - formats a credential announces itself by (a PEM header, a vendor prefix such as `ghp_`, a
 *   password in a URL), found anywhere in the text;
 * - settings whose name says they hold a secret (`DB_PASSWORD=…`, `"client_secret": …`,
 *   `--password …`), where the value is judged (secret-values.ts) so that placeholders,
 *   references and prose that only name a secret are accepted.
 *
 * Each finding says what kind of secret it is; the text that matched is never echoed back.
 *
 * Every pattern is linear on any input: quantifiers are bounded or followed by a character they
 * cannot match, so a failed attempt gives up at once instead of backtracking.
 */
interface SecretFormat {
  /** What the refusal calls it: "a GitHub token". */
  what: string;
  /** Global: every match is judged until one holds a secret. */
  pattern: RegExp;
  /** False when the match only has the shape (`ghp_xxxx…`, `Bearer $TOKEN`). Absent: every match counts. */
  holdsSecret?: (match: RegExpMatchArray) => boolean;
}

const FORMATS: readonly SecretFormat[] = [
  { what: "a private key", pattern: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g },
  // before the OpenAI rule: both start with sk-, and Anthropic's body holds "-" and "_"
  { what: "an Anthropic API key (sk-ant-…)", pattern: /\bsk-ant-[a-z]{2,10}\d{0,3}-([A-Za-z0-9_-]{20,})/g, holdsSecret: (m) => !isFillerBody(m[1]!) },
  // sk- also starts kebab-case words (sk-learn-contrib-v2): a key body is one long run with digits
  { what: "an OpenAI API key (sk-…)", pattern: /\bsk-(?:proj-|svcacct-|admin-)?([A-Za-z0-9_-]{20,})/g, holdsSecret: (m) => !isFillerBody(m[1]!) && looksLikeKeyBody(m[1]!) },
  { what: "a GitHub token (ghp_/gho_/ghs_/github_pat_…)", pattern: /\b(?:gh[pousr]_([A-Za-z0-9]{30,})|github_pat_([A-Za-z0-9_]{40,}))/g, holdsSecret: (m) => !isFillerBody(m[1] ?? m[2]!) },
  { what: "a GitLab token (glpat-…)", pattern: /\bgl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat)-([A-Za-z0-9_-]{20,})/g, holdsSecret: (m) => !isFillerBody(m[1]!) },
  // not judged for filler: AWS's documentation example (…EXAMPLE) is refused as well, harmlessly
  { what: "an AWS access key id", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)([A-Z0-9]{16})\b/g, holdsSecret: (m) => new Set(m[1]!).size >= 6 },
  {
    what: "an AWS secret access key",
    pattern: /(?:aws_?)?secret_?access_?key["']?[ \t]{0,4}[:=][ \t]{0,4}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    holdsSecret: (m) => !isFillerBody(m[1]!),
  },
  { what: "a Slack token (xox…)", pattern: /\b(?:xox[abposr]|xapp)-([A-Za-z0-9-]{10,})/g, holdsSecret: (m) => !isFillerBody(m[1]!) },
  { what: "a Slack webhook URL", pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{6,}\/[A-Z0-9]{6,}\/([A-Za-z0-9]{16,})/g, holdsSecret: (m) => !isFillerBody(m[1]!) },
  { what: "a Google API key (AIza…)", pattern: /\bAIza([0-9A-Za-z_-]{35})/g, holdsSecret: (m) => !isFillerBody(m[1]!) },
  // pk_live_ keys are publishable by design and not matched
  { what: "a Stripe secret key (sk_live_/rk_live_/whsec_…)", pattern: /\b(?:(?:sk|rk)_(?:live|test)_([A-Za-z0-9]{16,})|whsec_([A-Za-z0-9]{24,}))/g, holdsSecret: (m) => !isFillerBody(m[1] ?? m[2]!) },
  { what: "an npm token (npm_…)", pattern: /\bnpm_([A-Za-z0-9]{36})\b/g, holdsSecret: (m) => !isFillerBody(m[1]!) },
  { what: "a Hugging Face token (hf_…)", pattern: /\bhf_([A-Za-z0-9]{30,})/g, holdsSecret: (m) => !isFillerBody(m[1]!) },
  { what: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { what: "a bearer token", pattern: /\bBearer[ \t]+([A-Za-z0-9._~+/-]{16,}=*)/gi, holdsSecret: (m) => isTokenValue(m[1]!) },
  { what: "Basic auth credentials", pattern: /\bBasic[ \t]+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/gi, holdsSecret: (m) => isBasicCredentials(m[1]!) },
  {
    what: "a password in a URL",
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@?#]{0,64}:([^\s@/?#]{1,128})@[A-Za-z0-9[]/gi,
    holdsSecret: (m) => !isStandIn(decodeURIComponentSafe(m[1]!)),
  },
];

function looksLikeKeyBody(body: string): boolean {
  return /\d/.test(body) && /[A-Za-z]/.test(body) && /[A-Za-z0-9]{16}/.test(body);
}

/** `Basic` is followed by base64 of `user:password`; a word after "Basic" does not decode to that. */
function isBasicCredentials(encoded: string): boolean {
  const decoded = Buffer.from(encoded, "base64").toString("latin1");
  const colon = decoded.indexOf(":");
  return colon >= 0 && /^[\x20-\x7e]+$/.test(decoded) && !isStandIn(decoded.slice(colon + 1));
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

type SettingKind = "password" | "token";

/**
 * What a setting's name says its value is, from its last word: `DB_PASSWORD`, `smtpPass`,
 * `client_secret` hold passwords; `API_KEY`, `*_TOKEN`, `auth`, `credentials` hold tokens. A name
 * that ends in another word (`password_reset_url`, `token_count`, `API_KEY_HEADER`) holds
 * something else.
 */
function settingKind(name: string): SettingKind | undefined {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter((w) => w.length > 0);
  const last = words.at(-1);
  if (!last) return undefined;
  const compound = words.length > 1;
  if (/^(?:\w*password|passwd|passphrase|pwd)$/.test(last)) return "password";
  // "pass" and "pw" alone are too common ("tests pass: 340"); in a compound (DB_PASS) they are not
  if ((last === "pass" || last === "pw") && compound) return "password";
  // a bare "secret" is often a resource's kind ("Kubernetes Secret: db-credentials-prod")
  if (last === "secret" || last === "secrets") return compound ? "password" : "token";
  if (/^(?:token|apikey|auth|credentials?|creds|authtoken)$/.test(last)) return NOT_SECRET_TOKENS.has(words.at(-2) ?? "") ? undefined : "token";
  if (last === "key" && compound) {
    // a key the name calls secret or private is one whatever it looks like (Django's SECRET_KEY)
    if (words.includes("secret") || words.includes("private")) return "password";
    if (!NOT_SECRET_KEYS.has(words.at(-2)!)) return "token";
  }
  return undefined;
}

/** Tokens named like these are positions in a listing, not credentials (`nextPageToken`). */
const NOT_SECRET_TOKENS = new Set("page pagination continuation cursor sync resume".split(" "));

/** Keys named like these are identifiers, not credentials (`primary_key`, `publicKey`). */
const NOT_SECRET_KEYS = new Set("public publishable primary foreign sort partition cache idempotency dedup dedupe hash row object lookup map group shard".split(" "));

/**
 * `name = value`, `name: value`, `"name": "value"`, `'name' => 'value'`, `name := value`: the
 * name (bounded, so a long run of letters costs a bounded scan from each place) and the
 * separator. The value is read by hand after the match.
 */
const ASSIGNMENT = /([A-Za-z][A-Za-z0-9_.-]{0,63})["']?[ \t]{0,4}(?:=>|:=|[:=])[ \t]{0,4}/g;
/** `--password VALUE`, `--api-token VALUE` (the `=` form is an assignment above). */
const FLAG = /(?:^|[ \t])--([a-z][a-z0-9-]{0,40})[ \t]+(?=[^\s-])/g;
/** "the password is X": a sentence, so its value is judged more strictly. */
const PASSWORD_SENTENCE = /\b(?:pass(?:word|phrase)|passwd)[ \t]+(?:is|was)[ \t]+/gi;

/** Values are read up to this length: enough to judge any credential, and a bound on the work. */
const MAX_VALUE_CHARS = 256;
const BARE_VALUE = new RegExp(`[^\\s"'\`,;]{0,${MAX_VALUE_CHARS}}`, "y");

/** The value starting at `from`: quoted, or up to whitespace or a delimiter. */
function readValue(text: string, from: number): { value: string; quoted: boolean; end: number } {
  const quote = text[from];
  if (quote === '"' || quote === "'" || quote === "`") {
    const inside = text.slice(from + 1, from + 1 + MAX_VALUE_CHARS);
    const close = inside.indexOf(quote);
    if (close >= 0 && !inside.slice(0, close).includes("\n")) return { value: inside.slice(0, close), quoted: true, end: from + close + 2 };
  }
  BARE_VALUE.lastIndex = from;
  const end = from + (BARE_VALUE.exec(text)?.[0].length ?? 0);
  return { value: text.slice(from, end), quoted: false, end };
}

function holdsSetting(kind: SettingKind, text: string, valueAt: number): boolean {
  const { value, end } = readValue(text, valueAt);
  const after = text.slice(end, end + 80);
  return kind === "password" ? isPasswordValue(value, after) : isTokenValue(value);
}

const SETTING_WHAT: Record<SettingKind, string> = {
  password: "a password (a password- or secret-named setting with a real value)",
  token: "an API key or token (a key-, token- or auth-named setting with a generated value)",
};

function findSecretSetting(text: string): string | undefined {
  for (const pattern of [ASSIGNMENT, FLAG]) {
    for (const m of text.matchAll(pattern)) {
      const kind = settingKind(m[1]!);
      if (kind && holdsSetting(kind, text, m.index! + m[0].length)) return SETTING_WHAT[kind];
    }
  }
  for (const m of text.matchAll(PASSWORD_SENTENCE)) {
    const { value, quoted, end } = readValue(text, m.index! + m[0].length);
    // in a sentence only a value that cannot be a word counts: "the password is long" is prose
    const unlikeWord = quoted || /[\d\W_]/.test(value.replace(/[.,)}\]]+$/, "")) || /[a-z].*[A-Z]|[A-Z].*[a-z]/.test(value.slice(1));
    if (unlikeWord && isPasswordValue(value, text.slice(end, end + 80))) return SETTING_WHAT.password;
  }
  return undefined;
}

/** What kind of secret the text holds, or undefined. Never returns any of the text itself. */
export function findSecret(text: string): string | undefined {
  for (const format of FORMATS) {
    for (const m of text.matchAll(format.pattern)) {
      if (!format.holdsSecret || format.holdsSecret(m)) return format.what;
    }
  }
  return findSecretSetting(text);
}

/** The kinds of secret refused, for documentation and tests. */
export const SECRET_KINDS: readonly string[] = [...FORMATS.map((f) => f.what), ...Object.values(SETTING_WHAT)];
