import { randomUUID } from 'node:crypto';

// Bad input for every public endpoint, as one table that both the service
// (test/user/bad-input.test.ts, via inject) and the gateway
// (test/gateway/bad-input.test.ts, over real HTTP) must answer with the same
// 4xx problem+json naming the field. Free text (names, descriptions, search)
// is data: an injection string there is stored or searched verbatim and
// never executed, which the "treated as data" tests prove separately.

export type Who = 'anonymous' | 'buyer' | 'organizer' | 'admin';

/** Stands in the URLs for a real user other than the caller; the runner substitutes it. */
export const OTHER_USER = '__OTHER_USER__';

export interface BadInputCase {
  readonly endpoint: string;
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly who: Who;
  /** Raw request text; JSON unless contentType says otherwise. */
  readonly body?: string;
  readonly contentType?: string;
  readonly status: number;
  readonly code: string;
  /** The field the problem must name. */
  readonly field?: string;
}

const FAR_FUTURE = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

export const validRegister = () => ({ email: `x-${randomUUID().slice(0, 8)}@example.test`, password: 'correct horse battery staple' });
export const validEvent = () => ({
  name: 'Jazz evening',
  description: 'Quartet',
  date_time: FAR_FUTURE(),
  venue: { name: 'Club', location: 'Chisinau', capacity: 200 },
  total_seats: 150,
  price: 15_000,
  currency: 'EUR',
});

type Json = Record<string, unknown>;

/** `body` with `path` (dot-separated) set to `value`, or removed when value is undefined. */
function setPath(body: Json, path: string, value: unknown): Json {
  const copy = structuredClone(body);
  const keys = path.split('.');
  const last = keys.pop()!;
  let target: Json = copy;
  for (const key of keys) target = target[key] as Json;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

/** The shape problems every JSON body endpoint must reject. */
function bodyShapeCases(endpoint: string, method: 'POST', url: string, who: Who, valid: () => Json, limitBytes: number): BadInputCase[] {
  const base = { endpoint, method, url, who };
  const json = JSON.stringify(valid());
  return [
    { ...base, name: 'malformed JSON', body: json.slice(0, -3), status: 400, code: 'MALFORMED_JSON' },
    { ...base, name: 'an empty JSON body', body: '', status: 400, code: 'MALFORMED_JSON' },
    { ...base, name: 'a JSON array instead of an object', body: '[]', status: 400, code: 'VALIDATION_FAILED', field: 'body' },
    { ...base, name: 'JSON null', body: 'null', status: 400, code: 'VALIDATION_FAILED', field: 'body' },
    { ...base, name: 'a prototype-poisoning __proto__ key', body: `{"__proto__":{"admin":true},${json.slice(1)}`, status: 400, code: 'MALFORMED_JSON' },
    { ...base, name: 'a form-encoded body', body: 'a=b', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { ...base, name: 'a body over the size limit', body: JSON.stringify({ ...valid(), padding: 'x'.repeat(limitBytes) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { ...base, name: 'an unknown top-level field', body: JSON.stringify({ ...valid(), role: 'admin' }), status: 400, code: 'VALIDATION_FAILED', field: 'role' },
  ];
}

/** One case per bad value of one field of an otherwise valid body. */
function fieldCases(endpoint: string, url: string, who: Who, valid: () => Json, field: string, values: readonly [string, unknown, string?][]): BadInputCase[] {
  return values.map(([label, value, code]) => ({
    endpoint,
    method: 'POST' as const,
    url,
    who,
    name: `${field} ${label}`,
    // RAW: values are JSON number literals JSON.stringify cannot produce (1e400 parses to Infinity).
    body: typeof value === 'string' && value.startsWith('RAW:')
      ? JSON.stringify(setPath(valid(), field, '__RAW__')).replace('"__RAW__"', value.slice(4))
      : JSON.stringify(setPath(valid(), field, value)),
    status: 400,
    code: code ?? 'VALIDATION_FAILED',
    field,
  }));
}

const BAD_EMAILS: [string, unknown][] = [
  ['missing', undefined],
  ['as a number', 42],
  ['as null', null],
  ['as an array', ['a@example.test']],
  ['empty', ''],
  ['without an @', 'alice.example.test'],
  ['with an SQL injection', '\' OR \'1\'=\'1\' --@example.test'],
  ['with a script tag', '<script>alert(1)</script>@example.test'],
  ['with a NUL byte', 'alice\u0000@example.test'],
  ['over 254 characters', `${'a'.repeat(250)}@example.test`],
];

/** Path and query parameters a caller controls. */
const BAD_IDS: [string, string][] = [
  ['not a UUID', 'abc'],
  ['an SQL injection', encodeURIComponent('1\' OR \'1\'=\'1')],
  ['a URN-prefixed UUID', `urn:uuid:${randomUUID()}`],
  ['a UUID with a trailing payload', `${randomUUID()}${encodeURIComponent(';DROP TABLE users')}`],
  ['an encoded path traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['a huge number', '9'.repeat(400)],
];

export function badInputCases(limitBytes: number): BadInputCase[] {
  const register = 'POST /user/register';
  const login = 'POST /user/login';
  const createEvent = 'POST /event';
  // A fresh unknown email each time, so repeated runs never trip the login throttle.
  const validLogin = () => ({ email: `nobody-${randomUUID().slice(0, 8)}@example.test`, password: 'whatever it is' });
  const idCases = (endpoint: string, method: BadInputCase['method'], url: (id: string) => string, who: Who): BadInputCase[] =>
    [
      ...BAD_IDS.map(([label, id]) => ({ endpoint, method, url: url(id), who, name: `an id that is ${label}`, status: 400, code: 'VALIDATION_FAILED', field: 'id' })),
      // Refused by the router before the schema sees them, so the problem names the path.
      { endpoint, method, url: url('%E0%A4%A'), who, name: 'an id with broken percent-encoding', status: 400, code: 'VALIDATION_FAILED', field: 'path' },
      { endpoint, method, url: url('x'.repeat(2_000)), who, name: 'a 2000-character id', status: 400, code: 'VALIDATION_FAILED', field: 'path' },
    ];
  const query = (endpoint: string, path: string, who: Who, cases: [string, string, string][]): BadInputCase[] =>
    cases.map(([label, search, field]) => ({ endpoint, method: 'GET' as const, url: `${path}?${search}`, who, name: label, status: 400, code: 'VALIDATION_FAILED', field }));
  const paging: [string, string, string][] = [
    ['limit 0', 'limit=0', 'limit'],
    ['limit over 100', 'limit=101', 'limit'],
    ['a fractional limit', 'limit=1.5', 'limit'],
    ['a text limit', 'limit=ten', 'limit'],
    ['an absurd limit', 'limit=1e309', 'limit'],
    ['a repeated limit', 'limit=1&limit=2', 'limit'],
    ['a negative offset', 'offset=-1', 'offset'],
    ['an offset over 10000', 'offset=10001', 'offset'],
    ['an unknown parameter', 'role=admin', 'role'],
  ];

  return [
    // POST /user/register
    ...bodyShapeCases(register, 'POST', '/user/register', 'anonymous', validRegister, limitBytes),
    ...fieldCases(register, '/user/register', 'anonymous', validRegister, 'email', BAD_EMAILS),
    ...fieldCases(register, '/user/register', 'anonymous', validRegister, 'password', [
      ['missing', undefined], ['as a number', 1234567890], ['as an object', { value: 'x' }], ['empty', ''],
      ['shorter than 10 characters', 'short1'], ['over 128 characters', 'p'.repeat(129)], ['too common', 'password123'],
      ['with fewer than 4 distinct characters', 'abababababab'], ['with a lone surrogate', 'abcdefghijk\ud800'], ['with a NUL byte', 'abcdefghijk\u0000'],
    ]),
    // POST /user/login
    ...bodyShapeCases(login, 'POST', '/user/login', 'anonymous', validLogin, limitBytes),
    ...fieldCases(login, '/user/login', 'anonymous', validLogin, 'email', BAD_EMAILS),
    ...fieldCases(login, '/user/login', 'anonymous', validLogin, 'password', [['missing', undefined], ['as a number', 5], ['empty', ''], ['over 128 characters', 'p'.repeat(129)]]),
    { endpoint: login, method: 'POST', url: '/user/login', who: 'anonymous', name: 'an unknown account', body: JSON.stringify(validLogin()), status: 401, code: 'INVALID_CREDENTIALS' },
    // GET /user/{id}
    ...idCases('GET /user/{id}', 'GET', (id) => `/user/${id}`, 'buyer'),
    { endpoint: 'GET /user/{id}', method: 'GET', url: `/user/${OTHER_USER}`, who: 'anonymous', name: 'no identity', status: 401, code: 'UNAUTHENTICATED' },
    { endpoint: 'GET /user/{id}', method: 'GET', url: `/user/${OTHER_USER}`, who: 'buyer', name: 'another user\'s record', status: 403, code: 'FORBIDDEN' },
    { endpoint: 'GET /user/{id}', method: 'GET', url: `/user/${OTHER_USER}`, who: 'organizer', name: 'another user\'s record as an organizer', status: 403, code: 'FORBIDDEN' },
    { endpoint: 'GET /user/{id}', method: 'GET', url: `/user/${randomUUID()}`, who: 'buyer', name: 'a non-existent user (no existence oracle)', status: 403, code: 'FORBIDDEN' },
    { endpoint: 'GET /user/{id}', method: 'GET', url: `/user/${randomUUID()}`, who: 'admin', name: 'a non-existent user as admin', status: 404, code: 'NOT_FOUND' },
    // GET /user
    ...query('GET /user', '/user', 'admin', paging),
    { endpoint: 'GET /user', method: 'GET', url: '/user', who: 'anonymous', name: 'no identity', status: 401, code: 'UNAUTHENTICATED' },
    { endpoint: 'GET /user', method: 'GET', url: '/user', who: 'buyer', name: 'a buyer listing users', status: 403, code: 'FORBIDDEN' },
    { endpoint: 'GET /user', method: 'GET', url: '/user', who: 'organizer', name: 'an organizer listing users', status: 403, code: 'FORBIDDEN' },
    // PUT and DELETE /user/{id}/roles/organizer
    ...(['PUT', 'DELETE'] as const).flatMap((method): BadInputCase[] => {
      const endpoint = `${method} /user/{id}/roles/organizer`;
      return [
        ...idCases(endpoint, method, (id) => `/user/${id}/roles/organizer`, 'admin'),
        { endpoint, method, url: `/user/${OTHER_USER}/roles/organizer`, who: 'anonymous', name: 'no identity', status: 401, code: 'UNAUTHENTICATED' },
        { endpoint, method, url: `/user/${OTHER_USER}/roles/organizer`, who: 'buyer', name: 'a buyer changing roles', status: 403, code: 'FORBIDDEN' },
        { endpoint, method, url: `/user/${OTHER_USER}/roles/organizer`, who: 'organizer', name: 'an organizer changing roles', status: 403, code: 'FORBIDDEN' },
        { endpoint, method, url: `/user/${randomUUID()}/roles/organizer`, who: 'admin', name: 'a non-existent user', status: 404, code: 'NOT_FOUND' },
      ];
    }),
    // POST /event
    ...bodyShapeCases(createEvent, 'POST', '/event', 'organizer', validEvent, limitBytes),
    { endpoint: createEvent, method: 'POST', url: '/event', who: 'anonymous', name: 'no identity', body: JSON.stringify(validEvent()), status: 401, code: 'UNAUTHENTICATED' },
    { endpoint: createEvent, method: 'POST', url: '/event', who: 'buyer', name: 'a buyer creating an event', body: JSON.stringify(validEvent()), status: 403, code: 'FORBIDDEN' },
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'name', [
      ['missing', undefined], ['empty', ''], ['as a number', 7], ['over 200 characters', 'n'.repeat(201)], ['with a NUL byte', 'a\u0000b'], ['with a newline', 'a\nb'], ['blank', '   '], ['with a lone surrogate', 'a\udc00b'],
    ]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'description', [['missing', undefined], ['over 5000 characters', 'd'.repeat(5001)], ['as an array', ['x']], ['with a bell character', 'a\u0007b']]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'date_time', [
      ['missing', undefined], ['not a date', 'tomorrow evening'], ['without a time zone', '2031-01-01T20:00:00'], ['an impossible date', '2031-02-30T20:00:00Z'],
      ['with an SQL injection', '2031-01-01T20:00:00Z\'; DROP TABLE events; --'], ['as a number', 1_900_000_000], ['in the past', '2001-09-11T08:46:00Z'],
      ['more than 10 years ahead', '2199-01-01T00:00:00Z'], ['a leap second', '2030-12-31T23:59:60Z'],
    ]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'venue', [['missing', undefined], ['as a string', 'Club'], ['as null', null]]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'venue.capacity', [
      ['missing', undefined], ['zero', 0], ['negative', -5], ['fractional', 10.5], ['as a string', '200'], ['absurdly large', 1e15], ['beyond float range', 'RAW:1e400'],
    ]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'venue.name', [['missing', undefined], ['empty', ''], ['over 200 characters', 'v'.repeat(201)]]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'venue.id', [['sent by the client', randomUUID()]]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'total_seats', [
      ['missing', undefined], ['zero', 0], ['negative', -1], ['fractional', 1.5], ['as a string', '150'], ['above the venue capacity', 201], ['absurdly large', 9_007_199_254_740_993],
    ]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'price', [
      ['missing', undefined], ['negative', -100], ['fractional (major units)', 150.5], ['as a string', '150.00'], ['absurdly large', 1e18], ['beyond float range', 'RAW:-1e400'],
    ]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'currency', [
      ['missing', undefined], ['lower case', 'eur'], ['four letters', 'EURO'], ['not ISO 4217', 'ZZZ'], ['a symbol', '€'], ['numeric', 978],
    ]),
    ...fieldCases(createEvent, '/event', 'organizer', validEvent, 'available_seats', [['sent by the client', 10]]),
    // GET /event
    ...query('GET /event', '/event', 'anonymous', [
      ...paging,
      ['from that is not a date', 'from=yesterday', 'from'],
      ['to with an SQL injection', `to=${encodeURIComponent('2030-01-01T00:00:00Z\' OR 1=1--')}`, 'to'],
      ['from after to', 'from=2031-01-02T00:00:00Z&to=2031-01-01T00:00:00Z', 'from'],
      ['an empty search text', 'q=', 'q'],
      ['a search text over 100 characters', `q=${'q'.repeat(101)}`, 'q'],
      ['a search text with a NUL byte', 'q=a%00b', 'q'],
    ]),
    // GET /event/{id}
    ...idCases('GET /event/{id}', 'GET', (id) => `/event/${id}`, 'anonymous'),
    { endpoint: 'GET /event/{id}', method: 'GET', url: `/event/${randomUUID()}`, who: 'anonymous', name: 'a non-existent event', status: 404, code: 'NOT_FOUND' },
  ];
}
