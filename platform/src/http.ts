// Tiny HTTP helpers over Node's fetch with a hard timeout: a hung endpoint
// must never stall start-up or `status`.
export async function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  return response.status;
}

export async function httpJson(url: string, timeoutMs = 1000): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${url} -> ${response.status}`);
  }
  const body: unknown = await response.json();
  return body;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
