import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { SessionTable } from "../../../src/server/sessions.js";
import { quietLogger } from "../../helpers/engine.js";

class FakeSession {
  closed = 0;
  async close(): Promise<void> {
    this.closed++;
  }
}

const tables: SessionTable<FakeSession>[] = [];
afterEach(async () => {
  for (const t of tables.splice(0)) await t.closeAll();
});

function table(limits: { idleMs: number; max: number }) {
  let now = 1_000_000;
  const sessions = new SessionTable<FakeSession>(limits, quietLogger, () => now);
  tables.push(sessions);
  return { sessions, advance: (ms: number) => (now += ms) };
}

/** A request or stream: open until it emits close. */
const connection = () => new EventEmitter();

describe("SessionTable", () => {
  it("closes a session idle past the limit and forgets it", () => {
    const { sessions, advance } = table({ idleMs: 1000, max: 10 });
    const a = new FakeSession();
    sessions.add("a", a);
    advance(1000);
    sessions.sweep();
    expect(sessions.get("a")).toBe(a); // exactly at the limit is not past it
    advance(1);
    sessions.sweep();
    expect(sessions.get("a")).toBeUndefined();
    expect(a.closed).toBe(1);
    expect(sessions.size).toBe(0);
  });

  it("never expires a session with a request or stream open, and counts idleness from its end", () => {
    const { sessions, advance } = table({ idleMs: 1000, max: 10 });
    const a = new FakeSession();
    sessions.add("a", a);
    const stream = connection();
    sessions.track("a", stream);
    advance(60_000);
    sessions.sweep();
    expect(sessions.get("a")).toBe(a);
    stream.emit("close");
    advance(999);
    sessions.sweep();
    expect(sessions.get("a")).toBe(a);
    advance(2);
    sessions.sweep();
    expect(sessions.get("a")).toBeUndefined();
  });

  it("a request restarts the idle clock", () => {
    const { sessions, advance } = table({ idleMs: 1000, max: 10 });
    sessions.add("a", new FakeSession());
    advance(900);
    const request = connection();
    sessions.track("a", request);
    request.emit("close");
    advance(900);
    sessions.sweep();
    expect(sessions.get("a")).toBeDefined();
  });

  it("at the limit, closes the session idle longest to make room", () => {
    const { sessions, advance } = table({ idleMs: 60_000, max: 3 });
    const [a, b, c, d] = [new FakeSession(), new FakeSession(), new FakeSession(), new FakeSession()];
    sessions.add("a", a);
    advance(10);
    sessions.add("b", b);
    advance(10);
    sessions.add("c", c);
    // a was used last, so b is now the one idle longest
    const request = connection();
    sessions.track("a", request);
    request.emit("close");
    sessions.add("d", d);
    expect(sessions.size).toBe(3);
    expect(b.closed).toBe(1);
    expect([a, c, d].map((s) => s.closed)).toEqual([0, 0, 0]);
    expect(sessions.get("b")).toBeUndefined();
  });

  it("prefers an idle session over a busy one, and closes the least recently used when all are busy", () => {
    const { sessions } = table({ idleMs: 60_000, max: 2 });
    const [a, b, c, d] = [new FakeSession(), new FakeSession(), new FakeSession(), new FakeSession()];
    sessions.add("a", a);
    sessions.add("b", b);
    sessions.track("a", connection());
    sessions.add("c", c);
    expect(b.closed).toBe(1); // idle, though a is older
    sessions.track("c", connection());
    sessions.add("d", d);
    expect(a.closed).toBe(1); // both busy: a was touched before c
    expect(sessions.size).toBe(2);
  });

  it("does not bring back a session that ended while a connection was open", () => {
    const { sessions } = table({ idleMs: 1000, max: 10 });
    sessions.add("a", new FakeSession());
    const stream = connection();
    sessions.track("a", stream);
    sessions.remove("a");
    stream.emit("close");
    expect(sessions.get("a")).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it("closes every session on closeAll", async () => {
    const { sessions } = table({ idleMs: 1000, max: 10 });
    const all = [new FakeSession(), new FakeSession()];
    all.forEach((s, i) => sessions.add(String(i), s));
    await sessions.closeAll();
    expect(all.map((s) => s.closed)).toEqual([1, 1]);
    expect(sessions.size).toBe(0);
  });
});
