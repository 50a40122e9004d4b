import { readFileSync } from "node:fs";

/** Reads a fixture from fixtures/ (see fixtures/README.md for where each comes from). */
export function fixture(path: string): string {
  return readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), "utf8");
}

export interface JsonFixture {
  file: string;
  bytes: number;
  kind: string;
  query: string;
  mustKeep: string[];
  planted: string;
}

export function jsonManifest(): JsonFixture[] {
  return JSON.parse(fixture("json/manifest.json")) as JsonFixture[];
}

/** The needle test: 100 log records, a FATAL payment-gateway record at index 67. */
export function needleLogs(): Array<Record<string, unknown>> {
  const services = ["api", "auth", "billing", "search"];
  const items: Array<Record<string, unknown>> = Array.from({ length: 100 }, (_, i) => ({
    timestamp: `2026-11-20T10:${String(i % 60).padStart(2, "0")}:00Z`,
    level: "INFO",
    service: services[i % 4],
    message: `Request handled in ${20 + (i % 13)}ms`,
    request_id: `req-${1000 + i}`,
    status_code: 200,
    endpoint: ["/v1/users", "/v1/orders", "/v1/pay", "/v1/search"][i % 4],
    metadata: { region: ["us-east-1", "eu-west-1", "ap-south-1"][i % 3], version: "2.4.1" },
  }));
  items[67] = {
    timestamp: "2026-11-20T10:07:00Z",
    level: "FATAL",
    service: "billing",
    message: "Payment gateway connection pool exhausted",
    request_id: "req-1067",
    status_code: 503,
    endpoint: "/v1/pay",
    error_code: "PG-5523",
    resolution: "Increase max_connections to 500",
    affected_transactions: 1847,
    metadata: { region: "us-east-1", version: "2.4.1" },
  };
  return items;
}

/**
 * A service log of `lines` INFO lines and one ERROR line at the end (the scenario:
 * 3,000 lines, about 180 KB), deterministic.
 */
export function serviceLog(lines = 3000): { text: string; errorLine: string } {
  const out: string[] = [];
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < lines; i++) {
    const time = `2026-11-20T10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.${String(next(1000)).padStart(3, "0")}Z`;
    out.push(`${time} INFO  [worker-${i % 8}] GET /api/v1/items/${next(999)} 200 ${next(400)}ms`);
  }
  const errorLine = "2026-11-20T11:00:00.000Z ERROR [worker-3] database connection lost: ECONNRESET after 3 retries (pool=orders-primary)";
  out.push(errorLine);
  return { text: `${out.join("\n")}\n`, errorLine };
}
