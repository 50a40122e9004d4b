/**
 * Judging the value of a setting whose name says it holds a secret (`DB_PASSWORD=…`, `token: …`).
 * The name alone proves nothing: people save the advice we give them ("password=$DB_PASSWORD"),
 * templates, redactions and prose ("password: stored in the vault"). These checks decide whether
 * the value is a credential or only stands for one.
 */

/** Words a value is made of when it only stands for a secret ("changeme", "your-token", "null"). */
const STAND_IN_WORDS = new Set(
  "changeme changeit replaceme placeholder redacted removed hidden masked omitted secret secrets password passwd pass pwd token apikey key example sample dummy fake test todo tbd fixme none null nil undefined true false empty unset notset default yourpassword yourtoken yourapikey yoursecret yourkey".split(" "),
);

/**
 * First words of prose after a name ("password: stored in the vault", "password: see 1Password"):
 * what follows says where the secret is, not what it is. Password managers are here because
 * "Password: 1Password" names a tool.
 */
const PROSE_WORDS = new Set(
  "a an the in is are was were be of for from to at on by with via and or not no yes see set stored kept lives managed handled required optional needed rotated rotates reset changed expired generated provided injected mounted read loaded fetched pulled comes same as above below here there this that it its our your their my blank missing unknown prompt prompted ask asked env environment variable var vault 1password bitwarden lastpass keepass keepassxc keychain dashlane keeper sso ldap oauth iam kms n/a".split(" "),
);

/** References to where a secret lives: variables, templates, secret managers. */
const REFERENCE_PATTERNS: readonly RegExp[] = [
  /^\$/, // $VAR, ${VAR}, $(command), ${{ secrets.X }} (and bcrypt hashes, which are not credentials either)
  /^%[A-Za-z_][A-Za-z0-9_]*%/, // %VAR% (Windows)
  /^\{\{/, // {{ var }} (Helm, Jinja, Ansible)
  /^<[^>]*>?$/, // <secret>, <your-token>
  /^\[[A-Za-z _-]*\]$/, // [REDACTED]
  /^ENC\[/, // a SOPS-encrypted value
  /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/, // an env var name: DB_PASSWORD
  /^(?:env|process\.env|os\.environ|ENV|secrets|vars|var|data|local)[.:[(]/, // env.X, var.token, secrets.X
  /^(?:vault|op|awssm|gcpsm|azkv|ssm|sm|keyvault|secretsmanager|kms|ref\+[a-z]+):/i, // vault:secret/data/db#password, op://vault/item/field
  /^arn:aws:(?:secretsmanager|ssm|kms):/,
  /^projects\/[^/]+\/secrets\//, // a Google Secret Manager name
  /^!vault\b/,
  // code: the value is another variable, a field or a call (password=self.password, os.getenv(…))
  /^[A-Za-z_]+\d*(?:\.[A-Za-z_]+\d*)+$/, // segments of letters (random text has digits inside)
  /^[A-Za-z_][\w.]*\(/,
];

/**
 * A variable named after what it holds (`db_password`, `dbPassword`, `api_token`): code that
 * passes the secret along. Only snake_case or camelCase names count, so "Password1" is still a
 * password.
 */
const CODE_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+|[A-Z][a-z0-9]*)+$/;
const NAMES_A_SECRET = /pass|pwd|secret|token|key|cred|auth/i;

/** Type names: `password: string` describes a field, it does not fill it. */
const TYPE_NAMES = new Set("string str number int integer bool boolean bytes text varchar char secretstr secretbytes securestring any unknown object optional".split(" "));

/** A file a secret is read from: `/run/secrets/db`, `~/.ssh/id_ed25519`, `C:\keys\api.txt`. */
const FILE_PATH = /^(?:\/|~\/|\.\.?\/|[A-Za-z]:\\)|\.(?:pem|key|json|txt|env|ya?ml|p12|pfx|crt|jks|keystore|gpg|asc)$/i;
const URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** True when the value only stands for a secret: empty, a reference, a template, a redaction. */
export function isStandIn(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (REFERENCE_PATTERNS.some((p) => p.test(v))) return true;
  // "***", "xxxx", "...", "…", "••••", "0000-0000": filler, whatever the characters
  if (new Set(v).size <= 2) return true;
  const word = v.toLowerCase().replace(/[-_ ]/g, "");
  if (STAND_IN_WORDS.has(word) || TYPE_NAMES.has(word.replace(/[?|;]+$/, ""))) return true;
  if (CODE_NAME.test(v) && NAMES_A_SECRET.test(v)) return true;
  // a generic type (Option<String>) or a structure ({type: string}) is a description, not a value
  if (/^[A-Z]\w*<|^[{[(]/.test(v)) return true;
  return /^(?:your|my|insert|enter|paste|put|replace|change)[-_]|[-_](?:here|goes[-_]here)$/i.test(v) || /x{4,}|\*{3,}|\.{3}|…/i.test(v);
}

/** True for values that are a file path or a URL: where a secret is read from, not the secret. */
export function isLocation(value: string): boolean {
  return FILE_PATH.test(value) || URL.test(value);
}

/**
 * For password-like names (`password`, `DB_PASSWORD`, `client_secret`): anything that is not a
 * stand-in, a location or prose is a credential, however short — `password: hunter2` is one.
 * `followedBy` is the text after the value: a plain lowercase word followed by more words is a
 * sentence ("password: handled by the platform team"), not a password.
 */
export function isPasswordValue(value: string, followedBy: string): boolean {
  const v = withoutTrailingPunctuation(value);
  if (isStandIn(value) || isStandIn(v) || isLocation(v)) return false;
  if (PROSE_WORDS.has(v.toLowerCase())) return false;
  if (v.length < 4) return false;
  if (/^[a-z]+$/.test(v) && /^[ \t]+[a-z]+[ \t]+[a-z]/.test(followedBy)) return false;
  return true;
}

/**
 * The minimum length of a generated token. API keys and tokens are at least this long in every
 * format we know of; shorter values after a `*_KEY`/`*_TOKEN` name are ids, counts or words
 * (`sort_key: created_at`, `max_tokens=4096`).
 */
const MIN_TOKEN_LENGTH = 16;
/**
 * Bits per character below which a string repeats itself too much to be random. Random hex scores
 * about 3.7 on 32 characters, random base64 5+; words and repeated runs score less than 3.
 */
const MIN_ENTROPY_BITS = 3;

/**
 * For token-like names (`API_KEY`, `*_TOKEN`, `routing_key`, `auth`): the name is used for so
 * many things that are not secrets (cache keys, sort keys, token counts) that the value must look
 * generated: long, only the characters tokens are made of, letters mixed with digits (or both
 * cases), and not repetitive. A word, a path, an id with braces or a number is not a token.
 */
export function isTokenValue(value: string): boolean {
  const v = withoutTrailingPunctuation(value);
  if (v.length < MIN_TOKEN_LENGTH || !/^[A-Za-z0-9+/=_.~-]+$/.test(v)) return false;
  const hasDigit = /\d/.test(v);
  const hasLower = /[a-z]/.test(v);
  const hasUpper = /[A-Z]/.test(v);
  if (!((hasDigit && (hasLower || hasUpper)) || (hasLower && hasUpper && caseSwitches(v) >= v.length / 5))) return false;
  return entropyBits(v) >= MIN_ENTROPY_BITS && !isStandIn(value) && !isStandIn(v) && !isLocation(v);
}

/** A bare value runs to the next space: `null}` in `{"password": null}`, `hunter2.` ending a sentence. */
function withoutTrailingPunctuation(value: string): string {
  return value.replace(/[.,)}\]]+$/, "");
}

/** Shannon entropy of the string's characters, in bits per character. */
export function entropyBits(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How often case flips between neighbouring letters: often in random text, rarely in CamelCase. */
function caseSwitches(text: string): number {
  let switches = 0;
  let previous: "lower" | "upper" | undefined;
  for (const ch of text) {
    const now = ch >= "a" && ch <= "z" ? "lower" : ch >= "A" && ch <= "Z" ? "upper" : undefined;
    if (now && previous && now !== previous) switches++;
    previous = now;
  }
  return switches;
}

/** True when a vendor token's body is filler (`ghp_xxxx…`, `sk-…your-key-here`), not random. */
export function isFillerBody(body: string): boolean {
  return new Set(body).size < 6 || /x{4,}|X{4,}|0{8,}|your|here|example|placeholder|redacted|dummy/i.test(body);
}
