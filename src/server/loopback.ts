import { BlockList, isIP } from "node:net";

/**
 * What counts as "this machine" for the bind address and the Host and Origin checks. Only parsed
 * addresses and the name `localhost` qualify: a name is whatever its DNS says, so
 * `127.0.0.1.evil.com` or `127.attacker.example` must never pass for loopback by its look.
 */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
// BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) against the IPv4 rule
LOOPBACK.addAddress("::1", "ipv6");

export interface HostPort {
  /** The host without brackets: `localhost`, `127.0.0.1`, `::1`. */
  name: string;
  port: string | undefined;
}

/** Splits `name`, `name:port`, `[v6]`, `[v6]:port` or a bare IPv6 address; undefined when malformed. */
export function splitHostPort(value: string): HostPort | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) return isIP(bracketed[1]!) === 6 ? { name: bracketed[1]!, port: bracketed[2] } : undefined;
  if (isIP(value) === 6) return { name: value, port: undefined };
  const named = /^([^:[\]\s/@]+)(?::(\d+))?$/.exec(value);
  return named ? { name: named[1]!, port: named[2] } : undefined;
}

/**
 * Whether a host (with or without a port) is this machine: `localhost` (any case, with or
 * without the root's trailing dot), or an address that parses into 127.0.0.0/8 or ::1. Forms that
 * node:net does not parse as an address (`127.1`, `0x7f.1`) are names, so not loopback.
 */
export function isLoopback(host: string): boolean {
  const parts = splitHostPort(host.trim());
  if (!parts) return false;
  const name = parts.name.toLowerCase();
  if (name === "localhost" || name === "localhost.") return true;
  const family = isIP(name);
  return family !== 0 && LOOPBACK.check(name, family === 4 ? "ipv4" : "ipv6");
}
