import { describe, expect, it } from 'vitest';
import { clientPathKind } from './spa';

describe('clientPathKind', () => {
  it('sends every page of the app to index.html', () => {
    for (const path of ['/', '/events/6f1c2b0e-0000-4000-8000-000000000001', '/tickets', '/tickets/abc', '/operator', '/login']) expect(clientPathKind(path), path).toBe('page');
  });

  it('serves hashed assets and other files as files', () => {
    expect(clientPathKind('/assets/index-Dk3j2.js')).toBe('asset');
    expect(clientPathKind('/assets/operator')).toBe('asset');
    expect(clientPathKind('/favicon.svg')).toBe('file');
    expect(clientPathKind('/missing.png')).toBe('file');
  });
});
