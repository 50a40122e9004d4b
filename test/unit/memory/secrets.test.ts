import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openBackend } from "../../../src/ccr/backend.js";
import { InputError } from "../../../src/engine/errors.js";
import { findSecret, SECRET_KINDS } from "../../../src/memory/secrets.js";
import { MemoryStore, type MemoryRecord } from "../../../src/memory/store.js";
import { quietLogger } from "../../helpers/engine.js";

interface CorpusEntry {
  text: string;
  secret: boolean;
  kind: string;
}

// Fake credentials are built here rather than written out, so the source holds nothing a secret
// scanner would (rightly) flag; the seed keeps every run identical.
let seed = 7;
function fake(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    out += alphabet[(seed >>> 8) % alphabet.length];
  }
  return out;
}
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const alnum = (n: number) => fake(ALNUM, n);
const urlsafe = (n: number) => fake(`${ALNUM}-_`, n);
const hex = (n: number) => fake("0123456789abcdef", n);
const upper = (n: number) => fake("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n);
const base64 = (n: number) => fake(`${ALNUM}+/`, n);
const b64url = (json: object) => Buffer.from(JSON.stringify(json)).toString("base64url");

function corpus(name: string): CorpusEntry[] {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/secrets/${name}`, import.meta.url), "utf8")) as CorpusEntry[];
}

function score(entries: readonly CorpusEntry[]) {
  const secrets = entries.filter((e) => e.secret);
  const lookalikes = entries.filter((e) => !e.secret);
  const missed = secrets.filter((e) => findSecret(e.text) === undefined);
  const wronglyRefused = lookalikes.filter((e) => findSecret(e.text) !== undefined);
  return { secrets, lookalikes, missed, wronglyRefused };
}

async function memoryStore() {
  const backend = await openBackend({ kind: "memory" }, quietLogger);
  return new MemoryStore(Promise.resolve(backend.namespace<MemoryRecord>("memory")), () => Date.UTC(2026, 10, 21));
}

describe("secret filter: each kind", () => {
  const cases: Array<[RegExp, string]> = [
    [/private key/, `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA${base64(64)}`],
    [/private key/, `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE${base64(40)}`],
    [/private key/, `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGV${base64(60)}`],
    [/Anthropic/, `ANTHROPIC_API_KEY=sk-ant-api03-${urlsafe(20)}-${urlsafe(30)}_${urlsafe(43)}AA`],
    [/OpenAI/, `eval harness key sk-proj-${urlsafe(40)}T3BlbkFJ${urlsafe(40)}`],
    [/GitHub token/, `gh auth uses ghp_${alnum(36)}`],
    [/GitHub token/, `release bot github_pat_11${upper(20)}_${alnum(59)}`],
    [/GitLab/, `mirror job token glpat-${urlsafe(20)}`],
    [/AWS access key/, `deploy user AKIA${upper(16)}`],
    [/AWS secret access key/, `{"aws_secret_access_key": "${base64(40)}"}`],
    [/AWS secret access key/, `"AWS_SECRET_ACCESS_KEY": ${base64(40)}`],
    [/Slack token/, `bot token xoxb-${hex(12)}-${hex(13)}-${alnum(24)}`],
    [/Slack webhook/, `alerts go to https://hooks.slack.com/services/T${upper(10)}/B${upper(10)}/${alnum(24)}`],
    [/Google API key/, `maps key AIza${urlsafe(35)}`],
    [/Stripe/, `live key sk_live_${alnum(40)}`],
    [/Stripe/, `reporting uses rk_live_${alnum(40)}`],
    [/npm token/, `//registry.npmjs.org/:_authToken=npm_${alnum(36)}`],
    [/Hugging Face/, `model downloads use hf_${alnum(34)}`],
    [/JSON Web Token/, `session ${b64url({ alg: "HS256" })}.${b64url({ sub: "42", role: "admin" })}.${urlsafe(43)}`],
    [/bearer token/, `Authorization: Bearer ${hex(40)}`],
    [/Basic auth/, `Authorization: Basic ${Buffer.from(`admin:${alnum(12)}`).toString("base64")}`],
    [/password in a URL/, `postgres://orders:${alnum(16)}@db.internal:5432/orders`],
    [/password in a URL/, `mongodb+srv://analytics:${alnum(16)}@cluster0.mongodb.net/events`],
    [/password in a URL/, `redis://:${alnum(24)}@cache.internal:6379/0`],
    [/password in a URL/, `amqp://worker:${alnum(12)}@rabbit.internal:5672/jobs`],
    [/password in a URL/, `mysql://cms:${alnum(10)}@mysql.internal/cms`],
    [/a password/, `DB_PASSWORD=${alnum(16)}`],
    [/a password/, "Local MySQL: user root, password: hunter2"],
    [/a password/, `client_secret: ${urlsafe(32)}`],
    [/a password/, `SECRET_KEY=django-insecure-${alnum(30)}`],
    [/a password/, `mongodump --username backup --password ${alnum(12)} --out /backups`],
    [/a password/, "the router admin password is Tr0ub4dor&3"],
    [/API key or token/, `API_KEY=${hex(32)}`],
    [/API key or token/, `SENTRY_AUTH_TOKEN=${hex(64)}`],
    [/API key or token/, `curl -H "x-api-key: ${alnum(40)}" https://api.partner.example`],
  ];
  it.each(cases)("finds %s", (kind, text) => {
    const found = findSecret(text);
    expect(found).toMatch(kind);
    // the finding is one of a fixed list of names, so it can never carry the secret
    expect(SECRET_KINDS).toContain(found);
  });
});

describe("secret filter: what only stands for a secret", () => {
  it.each([
    "password=$DB_PASSWORD",
    "secret=${X}",
    "client_secret: ${OAUTH_CLIENT_SECRET}",
    "set password=%DB_PASSWORD% in the service config",
    "password: {{ db_password }}",
    "password=[REDACTED]",
    "password: <secret>",
    "API_KEY=<your-token>",
    "password: ***",
    "API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx",
    "POSTGRES_PASSWORD=changeme",
    "token: ... (truncated)",
    "SECRET_KEY=REPLACE_ME",
    "DB_PASSWORD=",
    '{"password": ""}',
    '{"password": null}',
    "password=DB_PASSWORD",
    "password: vault:secret/data/db#password",
    "STRIPE_SECRET_KEY: op://Engineering/Stripe/secret-key",
    "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
    "password: /run/secrets/db_password",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "postgres://app:${PGPASSWORD}@db:5432/app",
    "mongodb+srv://<user>:<password>@cluster0.mongodb.net/events",
    'curl -H "Authorization: Bearer $API_TOKEN" https://api.example.dev',
    "password: string",
    "connect(user=cfg.user, password=self.password)",
  ])("accepts %s", (text) => {
    expect(findSecret(text)).toBeUndefined();
  });

  it.each([
    "the password is in 1Password",
    "rotate the API key monthly",
    "Kubernetes Secret: db-credentials-prod",
    "set DB_PASSWORD in .env",
    "password: stored in the team vault, ask Dana",
    "token count: 4123",
    "max_tokens=4096",
    "password_reset_url=https://acme.dev/account/reset",
    "Bearer token auth is required for every endpoint",
    'WWW-Authenticate: Basic realm="admin"',
    "tests pass: 340, fail: 2",
  ])("accepts prose and settings that only name a secret: %s", (text) => {
    expect(findSecret(text)).toBeUndefined();
  });

  it("accepts hashes, ids and public keys", () => {
    expect(findSecret(`commit ${hex(40)}`)).toBeUndefined();
    expect(findSecret(`sha256:${hex(64)}`)).toBeUndefined();
    expect(findSecret("tenant 3f2a9c1e-2b4d-4e6f-8a9b-1c2d3e4f5a6b")).toBeUndefined();
    expect(findSecret(`ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ${base64(100)} deploy@ci`)).toBeUndefined();
    expect(findSecret(`-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${base64(60)}`)).toBeUndefined();
    expect(findSecret(`publishable key pk_live_${alnum(40)}`)).toBeUndefined();
  });

  it("accepts the advice its own refusal gives", async () => {
    const store = await memoryStore();
    const refusal = await store.save({ content: `DB_PASSWORD=${alnum(16)}`, scope: "project", project: "/p" }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(InputError);
    const message = (refusal as InputError).message;
    expect(message).toMatch(/env var name/);
    expect(findSecret(message)).toBeUndefined();
    for (const advice of ["DB password: env DB_PASSWORD", "password=$DB_PASSWORD", "DB password is at vault:secret/data/db#password", "password: op://vault/item/field"]) {
      await expect(store.save({ content: advice, scope: "project", project: "/p" })).resolves.toBeDefined();
    }
  });
});

describe("secret filter: corpora", () => {
  it("refuses ≥ 95% of the main corpus's secrets and ≤ 5% of its look-alikes", () => {
    const { secrets, lookalikes, missed, wronglyRefused } = score(corpus("main.json"));
    expect(secrets.length).toBeGreaterThanOrEqual(60);
    expect(lookalikes.length).toBeGreaterThanOrEqual(45);
    expect(missed.length / secrets.length, `missed: ${missed.map((e) => e.kind).join(", ")}`).toBeLessThanOrEqual(0.05);
    expect(wronglyRefused.length / lookalikes.length, `wrongly refused: ${wronglyRefused.map((e) => e.kind).join(", ")}`).toBeLessThanOrEqual(0.05);
  });

  // Held out: never used to tune the rules. The bounds are the figures measured when it was first
  // run (README), so a change can improve on them but not quietly lose ground.
  it("does no worse on the held-out corpus than when it was first measured", () => {
    const { secrets, lookalikes, missed, wronglyRefused } = score(corpus("held-out.json"));
    expect(secrets.length - missed.length).toBeGreaterThanOrEqual(HELD_OUT_REFUSED);
    expect(wronglyRefused.length).toBeLessThanOrEqual(HELD_OUT_WRONGLY_REFUSED);
    expect(lookalikes.length).toBeGreaterThan(0);
  });
});
// first measured with the rules of the commit before this figure was recorded: 22 of 36, 0 of 39
const HELD_OUT_REFUSED = 22;
const HELD_OUT_WRONGLY_REFUSED = 0;

describe("secret filter: cost", () => {
  it("checks 8 KB of adversarial text quickly", () => {
    const size = 8 * 1024;
    const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    const inputs = [
      fill("password="),
      fill("a"),
      fill("a="),
      fill("a-"),
      fill("https://a:"),
      fill("x://a:b"),
      fill("-----BEGIN "),
      fill("sk-a-"),
      fill("Bearer "),
      fill("Basic "),
      fill("eyJaaaaaaaaa."),
      fill("the password is "),
      fill(" --password "),
      fill("password: aaaaaaaa "),
      fill(`password="`),
      fill("A_KEY=Ab1"),
      `password: ${"a".repeat(size - 10)}`,
      `API_KEY=${"Ab1".repeat(size / 3 - 3)}`,
    ];
    for (const text of inputs) {
      const started = performance.now();
      findSecret(text);
      expect(performance.now() - started, text.slice(0, 20)).toBeLessThan(500);
    }
  });
});

describe("memory_save checks every place a secret can hide", () => {
  it("refuses a secret in a tag, saying it was a tag and not what it held", async () => {
    const store = await memoryStore();
    const key = `AKIA${upper(16)}`;
    const refusal = await store.save({ content: "the deploy user for staging", scope: "project", project: "/p", tags: ["deploy", key] }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(InputError);
    const message = (refusal as InputError).message;
    expect(message).toMatch(/refused: tag 2 of 2 looks like it holds an AWS access key id/);
    expect(message).not.toContain(key);
    expect(message.toLowerCase()).not.toContain(key.toLowerCase());
  });

  it("refuses a secret in the key, and a long tag holding a secret without quoting it", async () => {
    const store = await memoryStore();
    const token = `glpat-${urlsafe(20)}`;
    await expect(store.save({ content: "the mirror job", scope: "project", project: "/p", key: token })).rejects.toThrow(/refused: the key looks like it holds a GitLab token/);
    const long = `ghp_${alnum(36)} ${"and-a-long-tail-".repeat(3)}`;
    const refusal = await store.save({ content: "the release bot", scope: "project", project: "/p", tags: [long] }).catch((e: unknown) => e);
    expect((refusal as InputError).message).toMatch(/tag 1 of 1 looks like it holds a GitHub token/);
    expect((refusal as InputError).message).not.toContain(long.slice(0, 20));
  });

  it("refuses a secret on import too", async () => {
    const store = await memoryStore();
    const record: MemoryRecord = { id: "x", content: "fine", scope: "global", project: null, tags: [`hf_${alnum(34)}`], createdAt: 0, updatedAt: 0, history: [] };
    await expect(store.import([record])).rejects.toThrow(/tag 1 of 1 looks like it holds a Hugging Face token/);
  });
});
