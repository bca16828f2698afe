/**
 * What must never reach a log line (or Logstash, or the search server):
 * passwords, tokens, secrets, Authorization/Cookie headers, the identity
 * assertion, and `token`-like query parameters (the WebSocket handshake
 * carries the access token as `?token=`).
 *
 * Two layers: pino's path redaction replaces known fields wherever a logger
 * call puts them, and a text scrubber rewrites the free text that can embed
 * a secret (messages, error messages and stacks, URLs).
 */
export const REDACTED = '[redacted]';

const SECRET_KEYS = ['password', 'token', 'access_token', 'refresh_token', 'secret', 'authorization', 'cookie', 'JWT_SECRET', 'INTERNAL_AUTH_SECRET', 'ADMIN_PASSWORD', 'currentPassword', 'newPassword', 'apiKey', 'api_key'];
const HEADER_KEYS = ['authorization', 'cookie', 'set-cookie', 'x-eticket-identity', 'proxy-authorization'];
const HEADER_HOLDERS = ['headers', 'req.headers', 'res.headers', 'request.headers', 'http.request.headers', 'http.response.headers', '*.headers'];
/** URL-bearing fields whose query string is scrubbed rather than removed. */
const URL_PATHS = ['url', 'url.full', 'url.original', 'url.query', 'req.url', 'request.url', '*.url'];

/** Paths for pino's redaction (fast-redact syntax: `*` is one level, brackets for names with dashes). */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  // Deeper only for the likeliest ones: every wildcard path costs on every line.
  ...['password', 'token'].map((key) => `*.*.${key}`),
  ...HEADER_HOLDERS.flatMap((holder) => HEADER_KEYS.map((header) => `${holder}["${header}"]`)),
  ...URL_PATHS,
];

const URL_PATH_SET = new Set(URL_PATHS.map((path) => path.replace(/^\*\./, '')));

/** Query parameter names whose values are secret (matched case-insensitively as whole names or suffixes). */
const SECRET_PARAM = /^(?:.*[_-])?(?:token|access_token|password|passwd|secret|key|api_key|signature|sig|code|auth|authorization|session|jwt)$/i;

/** A query string with secret parameters' values replaced (`token=[redacted]`); other parameters kept as they are. */
export function scrubQuery(query: string): string {
  return query.split('&').map((pair) => {
    const equals = pair.indexOf('=');
    const name = equals === -1 ? pair : pair.slice(0, equals);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // A malformed name is judged as written.
    }
    return equals !== -1 && SECRET_PARAM.test(decoded) ? `${name}=${REDACTED}` : pair;
  }).join('&');
}

/** A URL (absolute, or a path with a query) with its secret query parameters and any user:password@ scrubbed. */
export function scrubUrl(url: string): string {
  const question = url.indexOf('?');
  const head = question === -1 ? url : url.slice(0, question);
  const withoutCredentials = head.replace(/\/\/[^/@\s]*:[^/@\s]*@/, `//${REDACTED}@`);
  if (question === -1) return withoutCredentials;
  const hash = url.indexOf('#', question);
  const query = hash === -1 ? url.slice(question + 1) : url.slice(question + 1, hash);
  return `${withoutCredentials}?${scrubQuery(query)}${hash === -1 ? '' : url.slice(hash)}`;
}

const TEXT_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // Credentials in connection strings: postgres://user:pass@host, redis://:pass@host.
  [/([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]*:[^/@\s]+@/gi, `$1${REDACTED}@`],
  // Bearer and Basic credentials quoted from a header.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
  // Anything shaped like a JWT (ours are HS256 access tokens and identity assertions).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g, REDACTED],
  // key=value pairs in URLs or messages: ?token=..., password=...
  [/\b((?:[a-z]+[_-])?(?:token|password|passwd|secret|api_key|signature))=[^&\s"']+/gi, `$1=${REDACTED}`],
];

/** Free text (a message, an error and its stack) with embedded secrets replaced. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

/** pino's censor: URLs keep their shape with secret parameters scrubbed; anything else on a redacted path is replaced whole. */
export function censor(value: unknown, path: readonly unknown[]): unknown {
  // Keys may be symbols (pino's own): String() names them without throwing.
  const joined = path.map(String).join('.');
  const isUrl = URL_PATH_SET.has(joined) || path.at(-1) === 'url';
  if (isUrl) return typeof value === 'string' ? (joined.endsWith('query') ? scrubQuery(value) : scrubUrl(value)) : value;
  return REDACTED;
}
