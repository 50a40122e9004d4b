import { describe, expect, it } from "vitest";
import { isLoopback, splitHostPort } from "../../../src/server/loopback.js";

describe("isLoopback", () => {
  it.each([
    "localhost",
    "LocalHost",
    "localhost.",
    "localhost:3000",
    "127.0.0.1",
    "127.255.255.254",
    "127.0.0.1:8787",
    "::1",
    "[::1]",
    "[::1]:8080",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
    "[::ffff:7f00:1]:8787",
  ])("%s is loopback", (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  it.each([
    "127.0.0.1.evil.com",
    "127.0.0.1.evil.com:8787",
    "localhost.evil.com",
    "127.attacker.example",
    "evil.com",
    // not addresses to node:net, so names a resolver may send anywhere
    "0x7f.1",
    "127.1",
    "0127.0.0.1",
    "128.0.0.1",
    "0.0.0.0",
    "::",
    "::ffff:10.0.0.1",
    "[::2]",
    "[localhost]",
    "",
    "localhost:http",
  ])("%s is not loopback", (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});

describe("splitHostPort", () => {
  it("splits names, addresses and bracketed IPv6 from their ports", () => {
    expect(splitHostPort("example.com:80")).toEqual({ name: "example.com", port: "80" });
    expect(splitHostPort("example.com")).toEqual({ name: "example.com", port: undefined });
    expect(splitHostPort("[::1]:8080")).toEqual({ name: "::1", port: "8080" });
    expect(splitHostPort("::1")).toEqual({ name: "::1", port: undefined });
    expect(splitHostPort("[not-v6]:80")).toBeUndefined();
    expect(splitHostPort("a:b:c")).toBeUndefined();
    expect(splitHostPort("user@host")).toBeUndefined();
  });
});
