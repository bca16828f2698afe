// The default port blocks lie below Linux's ephemeral range (32768-60999 by
// default), but a base chosen by hand (--base-port) may not. Inside it, any
// outgoing connection on the machine may take one of our ports as its local
// port, and the TIME-WAIT it leaves for 60 s makes the server's bind fail
// with EADDRINUSE (seen here: a health probe left 127.0.0.1:46500 busy).
// As root we add our ports to
// net.ipv4.ip_local_reserved_ports, which the kernel then never hands out as
// ephemeral ports; explicit binds still work. Without root we just start.
import { readFileSync, writeFileSync } from 'node:fs';

const SYSCTL = '/proc/sys/net/ipv4/ip_local_reserved_ports';

function parse(text: string): Array<[number, number]> {
  return text.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
    const [from, to] = item.split('-').map(Number);
    return [from ?? 0, to ?? from ?? 0] as [number, number];
  }).filter(([from, to]) => Number.isInteger(from) && Number.isInteger(to) && from > 0);
}

function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

export function reservePorts(ports: number[], log: (line: string) => void): void {
  if (process.getuid?.() !== 0) return;
  try {
    const current = parse(readFileSync(SYSCTL, 'utf8'));
    const covered = (port: number) => current.some(([from, to]) => port >= from && port <= to);
    const missing = ports.filter((port) => !covered(port));
    if (missing.length === 0) return;
    const next = merge([...current, ...missing.map((p): [number, number] => [p, p])]);
    writeFileSync(SYSCTL, next.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(','));
    log(`reserved ${missing.length} platform port(s) from ephemeral use (net.ipv4.ip_local_reserved_ports)`);
  } catch (error) {
    log(`note: could not reserve ports from ephemeral use: ${error instanceof Error ? error.message : String(error)}`);
  }
}
