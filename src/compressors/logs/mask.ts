/**
 * Turns a message into template tokens: whitespace-separated tokens, with every variable (numbers,
 * ids, hex, addresses, paths, quantities such as `1234 bytes` or `(1.2 KB)`) replaced by `<*>`
 * and runs of variables collapsed into one, so `lifetime <1 sec` and `lifetime 00:02` share a
 * template. Each `<*>` keeps the original text it stands for.
 */
export const WILDCARD = "<*>";

export interface MaskedMessage {
  tokens: string[];
  /** Original text of each `<*>` in `tokens`, in order. */
  values: string[];
}

const UNITS = new Set(
  "b byte bytes kb kib mb mib gb gib tb ms msec msecs millis s sec secs second seconds min mins minute minutes h hr hrs hours us µs ns % times".split(" "),
);
/** e-mail, URL, name:port, or a domain with a common top-level domain */
const ADDRESS = /^[\w.+-]+@[\w-]+\.[\w.-]+$|^[a-z][a-z0-9+.-]*:\/\/|^[a-z0-9][a-z0-9.-]*:\d{1,5}$|^(?:[\w-]+\.)+(?:com|net|org|edu|gov|io|dev|app|cloud|local|internal|cn|hk|uk|de|fr|jp|ru|us|eu|info|biz)$/i;
/** a lower-case host name with two or more dots (`a.b.example.com.mx`; not `org.apache.Foo`) */
const HOST = /^(?:[a-z0-9-]+\.){2,}[a-z]{2,6}$/;
/** absolute paths, Windows paths, and relative paths with a file extension or several directories */
const PATH = /^[~.]?\/[^\s]*\/|^[A-Za-z]:\\|^(?:[\w.@-]+\/)+[\w.@-]+\.[A-Za-z]\w{0,4}$|^(?:[\w.@-]+\/){2,}[\w.@-]*$/;
/** Numbers, IPs with ports, hex ids, dotted versions: the variable parts inside a token. */
const VARIABLE_PART = /\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?|0x[0-9a-f]+|(?<![a-z])[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*(?![a-z])|[-+]?\d+(?:[.,:]\d+)*/gi;
const HEX_WORD = /^(?:0x)?[0-9a-f]{8,}$/i;
const NO_PARTS: string[] = [];
const KEY_VALUE = /^([A-Za-z_][\w.-]*=)(.+)$/;
const ONLY_WILDCARDS = /^[^\p{L}]*$/u;

/** Characters without which a token can hold no number, path, address or version. */
const MAYBE_VARIABLE = /[\d/\\.:@]/;

export interface MaskedToken {
  masked: string;
  parts: string[];
}

/**
 * `1234` → `<*>`; `[10.0.0.1]` → `<*>`; `onExtend:1514038530000` → `onExtend:<*>`;
 * `blk_-6952295868487656571` → `blk_<*>`. Returns the masked token and what was masked.
 */
export function maskToken(token: string): MaskedToken {
  // most tokens are words: no digit, path, address or hex can hide in them
  if (!MAYBE_VARIABLE.test(token) && !HEX_WORD.test(token)) return { masked: token, parts: NO_PARTS };
  const core = token.replace(/^[([{<"'`]+|[)\]}>"'`,;:.!?]+$/g, "");
  if (core.length > 0 && (ADDRESS.test(core) || HOST.test(core) || PATH.test(core))) return { masked: WILDCARD, parts: [token] };
  // key=value: the value is judged on its own (`rhost=ec2-1-2-3-4.compute.amazonaws.com`)
  const pair = KEY_VALUE.exec(token);
  if (pair) {
    const value = maskToken(pair[2]!);
    if (value.masked === WILDCARD) return { masked: `${pair[1]}${WILDCARD}`, parts: value.parts };
  }
  const parts: string[] = [];
  const masked = token.replace(VARIABLE_PART, (m) => {
    parts.push(m);
    return WILDCARD;
  });
  if (parts.length === 0) return { masked: token, parts };
  // nothing but variables, punctuation and a unit left (`12`, `[10.0.0.1]`, `15ms`): one variable
  const rest = masked.replaceAll(WILDCARD, "");
  if (ONLY_WILDCARDS.test(rest) || UNITS.has(rest.replace(/[^\p{L}%]/gu, "").toLowerCase())) return { masked: WILDCARD, parts: [token] };
  return { masked, parts };
}

/**
 * Masks a whole message. Logs repeat their tokens endlessly, so a caller masking many lines
 * passes one `cache` for all of them.
 */
export function maskMessage(message: string, cache?: Map<string, MaskedToken>): MaskedMessage {
  const raw = message.split(/\s+/).filter((t) => t.length > 0);
  const tokens: string[] = [];
  const values: string[] = [];
  for (let k = 0; k < raw.length; k++) {
    const token = raw[k]!;
    const previousIsVariable = tokens.length > 0 && tokens[tokens.length - 1] === WILDCARD;
    // a parenthesised group of a few words that holds a variable is one value, whatever its length:
    // `(run-parts /etc/cron.hourly)` and `(/usr/lib/sa/sa1 1 1)` are both a command
    const groupEnd = token.charCodeAt(0) === OPEN_PARENTHESIS ? variableGroupEnd(raw, k, cache) : -1;
    if (groupEnd > k) {
      // a value of its own even after another: `Process <*> (pid 12) has died` keeps one length
      tokens.push(WILDCARD);
      values.push(raw.slice(k, groupEnd + 1).join(" "));
      k = groupEnd;
      continue;
    }
    const { masked: maskedToken, parts } = maskCached(token, cache);
    if (maskedToken === WILDCARD || (previousIsVariable && UNITS.has(token.replace(/[,;:.)]+$/, "").toLowerCase()))) {
      if (previousIsVariable) values[values.length - 1] += ` ${token}`;
      else {
        tokens.push(WILDCARD);
        values.push(token);
      }
    } else {
      tokens.push(maskedToken);
      values.push(...parts);
    }
  }
  return { tokens, values };
}

const GROUP_TOKENS = 6;
const OPEN_PARENTHESIS = 40;

function maskCached(token: string, cache: Map<string, MaskedToken> | undefined): MaskedToken {
  let result = cache?.get(token);
  if (!result) {
    result = maskToken(token);
    cache?.set(token, result);
  }
  return result;
}

/** Where a `(`…`)` group of 2 to GROUP_TOKENS tokens that starts at `k` and holds a variable ends, or -1. */
function variableGroupEnd(raw: readonly string[], k: number, cache: Map<string, MaskedToken> | undefined): number {
  const masked = (token: string) => maskCached(token, cache);
  const first = raw[k]!;
  if (!first.startsWith("(") || first.includes(")")) return -1;
  for (let j = k + 1; j < Math.min(raw.length, k + GROUP_TOKENS); j++) {
    const token = raw[j]!;
    if (token.includes("(")) return -1;
    if (!/\)[,;:.]?$/.test(token)) {
      if (token.includes(")")) return -1;
      continue;
    }
    // a group of nothing but values and units (`(18.4 KB)`) joins the value before it, as before
    const words = raw.slice(k, j + 1).filter((t) => masked(t).masked !== WILDCARD && !UNITS.has(t.replace(/[^\p{L}%]/gu, "").toLowerCase()));
    if (words.length === 0) return -1;
    for (let t = k; t <= j; t++) if (masked(raw[t]!).masked.includes(WILDCARD)) return j;
    return -1;
  }
  return -1;
}

/** Booleans and nulls: values of a field, never the word that names an event. */
const LITERAL = /^(?:true|false|null|nil|none|undefined|yes|no|on|off|True|False|None|NULL)$/;
/** `HTTPS`, `SOCKS5` (masked `SOCKS<*>`), `CMD`: upper-case keywords name what happened. */
const KEYWORD_TOKEN = /^[A-Z][A-Z0-9_]*(?:<\*>)?$/;
const TRAILING_PUNCTUATION = /[,;:.!?)\]}]+$/;
/** `tag="RILJ_ACK_WL",` · `flags=0x1`: a key and its value in one token. */
const KEY_AND_VALUE = /^([A-Za-z_][\w.:-]*=)./;

/**
 * Whether a word that differs between lines is certainly a value: a partly masked token (`u0a52`
 * → `u<*>a<*>`), a boolean or null, the value in `key=value` or the word after `key=`. Lines
 * differing only there are one event, however few values the log happens to show.
 */
export function isFieldValue(word: string, previous?: string): boolean {
  const core = word.replace(TRAILING_PUNCTUATION, "");
  if (KEYWORD_TOKEN.test(core)) return false;
  return word.includes(WILDCARD) || LITERAL.test(core) || KEY_AND_VALUE.test(word) || (previous !== undefined && previous.endsWith("="));
}

/** How a template token reads when field values are set aside: `tag="x",` → `tag=<*>`, `true` → `<*>`, a word as it is. */
export function skeletonToken(token: string): string {
  if (token === WILDCARD) return token;
  const pair = KEY_AND_VALUE.exec(token);
  if (pair) return `${pair[1]}${WILDCARD}`;
  return isFieldValue(token) ? WILDCARD : token;
}
