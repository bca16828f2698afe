import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorCatalog, GrpcCode, problemType } from './index';

const docs = readFileSync(fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)), 'utf8');
const grpcName = (code: number): string => Object.entries(GrpcCode).find(([, value]) => value === code)?.[0] ?? 'missing';

describe('error catalog', () => {
  it.each(Object.entries(errorCatalog))('documents %s in docs/errors.md with its HTTP status, gRPC code and title', (code, definition) => {
    const row = `| \`${code}\` | ${definition.status} | ${grpcName(definition.grpc)} | ${definition.title} |`;
    expect(docs).toContain(row);
  });

  it('documents no code that the catalog lacks', () => {
    const documented = [...docs.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(errorCatalog).sort());
  });

  it('maps every client error to a 4xx and every server-side failure to a 5xx', () => {
    for (const [code, definition] of Object.entries(errorCatalog)) {
      const serverSide = ['INTERNAL', 'UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN', 'WAITING_ROOM_UNAVAILABLE', 'UPSTREAM_TIMEOUT'].includes(code);
      expect(definition.status >= 500, code).toBe(serverSide);
    }
  });

  it('gives each code a distinct problem type URI', () => {
    const types = Object.keys(errorCatalog).map((code) => problemType(code as keyof typeof errorCatalog));
    expect(new Set(types).size).toBe(types.length);
  });
});
