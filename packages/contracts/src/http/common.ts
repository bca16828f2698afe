import { Type, type TSchema, type TObject } from '@sinclair/typebox';

// Building blocks shared by the public HTTP schemas. The same objects validate
// requests in the services, validate them again at the gateway's edge, and
// feed the OpenAPI document, so every bound here is part of the public
// contract: every object is closed (additionalProperties: false), every string
// has a maxLength and every number a range.

// Patterns run in Unicode mode, where a surrogate range matches only *lone*
// surrogates: those are not text (UTF-8 cannot encode them; the driver would
// silently store U+FFFD), while emoji and other astral characters pass.
/** No C0 control characters, no DEL, no lone surrogates: NUL alone would make PostgreSQL fail on `text`. */
const SINGLE_LINE = '^[^\\u0000-\\u001F\\u007F\\uD800-\\uDFFF]*$';
/** Like SINGLE_LINE but allows tab, line feed and carriage return. */
const MULTI_LINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\uD800-\\uDFFF]*$';
/** Passwords may hold any character but NUL and lone surrogates (two different ones would hash the same). */
export const PASSWORD_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';

export const Text = (maxLength: number, options: { minLength?: number; description?: string; multiLine?: boolean } = {}) =>
  Type.String({
    minLength: options.minLength ?? 0,
    maxLength,
    pattern: options.multiLine === true ? MULTI_LINE : SINGLE_LINE,
    ...(options.description === undefined ? {} : { description: options.description }),
  });

export const Uuid = (description?: string) =>
  Type.String({ format: 'uuid', minLength: 36, maxLength: 36, ...(description === undefined ? {} : { description }) });

/** RFC 3339 date-time with an explicit offset, e.g. `2030-05-01T19:30:00Z`. */
export const DateTime = (description?: string) =>
  Type.String({ format: 'date-time', minLength: 20, maxLength: 35, ...(description === undefined ? {} : { description }) });

export const Email = () => Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'Compared case-insensitively; stored in lower case' });

/** Offset pagination; the offset is capped so a deep page cannot become an expensive scan. */
export const MAX_PAGE_SIZE = 100;
export const MAX_OFFSET = 10_000;

export const PaginationQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, description: 'Page size' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0, description: 'Items to skip' })),
};

/** A page of `item`: the items, the paging that produced them and the total number of matches. */
export const Page = <T extends TSchema>(item: T, title: string) =>
  Type.Object(
    {
      items: Type.Array(item, { maxItems: MAX_PAGE_SIZE }),
      limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE }),
      offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET }),
      total: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
    },
    { additionalProperties: false, title },
  );

/** The problem+json body every error answers with (RFC 9457 plus the stable `code`, see docs/errors.md). */
export const ProblemBody = Type.Object(
  {
    type: Type.String({ maxLength: 200 }),
    title: Type.String({ maxLength: 200 }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ maxLength: 4000 }),
    code: Type.String({ maxLength: 64 }),
    instance: Type.Optional(Type.String({ maxLength: 2048 })),
    errors: Type.Optional(Type.Array(
      Type.Object({ field: Type.String({ maxLength: 200 }), message: Type.String({ maxLength: 500 }) }, { additionalProperties: false }),
      { maxItems: 100 },
    )),
  },
  { additionalProperties: false, title: 'Problem', description: 'RFC 9457 problem details with a stable `code` (see docs/errors.md)' },
);

const PROBLEM_DESCRIPTIONS = {
  400: 'Malformed JSON, a wrong type, an unknown or missing field, or a value out of range (VALIDATION_FAILED, MALFORMED_JSON)',
  401: 'Missing, expired or forged credentials (UNAUTHENTICATED, INVALID_CREDENTIALS)',
  402: 'The payment provider declined the charge (PAYMENT_DECLINED)',
  403: 'The caller lacks the role or does not own the resource (FORBIDDEN)',
  404: 'No such resource (NOT_FOUND)',
  409: 'Conflicts with the current state (e.g. EMAIL_TAKEN)',
  413: 'The body is larger than allowed (PAYLOAD_TOO_LARGE)',
  415: 'The body is not application/json (UNSUPPORTED_MEDIA_TYPE)',
  422: 'The Idempotency-Key was used before with a different request (IDEMPOTENCY_KEY_REUSED)',
  426: 'This path is a WebSocket: connect with an upgrade (UPGRADE_REQUIRED)',
  429: 'Too many attempts; see Retry-After (RATE_LIMITED), or too many open connections (TOO_MANY_CONNECTIONS)',
  503: 'A service or its database is unavailable (UPSTREAM_UNAVAILABLE)',
  504: 'A service did not answer in time (UPSTREAM_TIMEOUT)',
} as const;

export type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

/** Response schemas for the listed error statuses, each a Problem with its own description. */
export function problems<S extends ProblemStatus>(...statuses: readonly S[]): Record<S, typeof ProblemBody> {
  const entries = statuses.map((status): [S, typeof ProblemBody] => [status, { ...ProblemBody, description: PROBLEM_DESCRIPTIONS[status] }]);
  return Object.fromEntries(entries) as Record<S, typeof ProblemBody>;
}

/** The error statuses any route can produce through the gateway. */
export const COMMON_PROBLEMS = [400, 503, 504] as const;

/** A route of the public API: method, path and the schemas that validate, serialise and document it. */
export interface ApiRoute<Schema extends ApiSchema = ApiSchema> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly schema: Schema;
}

export interface ApiSchema {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly operationId: string;
  readonly body?: TObject;
  /** Request headers the route requires (e.g. Idempotency-Key); other headers are allowed. */
  readonly headers?: TObject;
  readonly querystring?: TObject;
  readonly params?: TObject;
  readonly response: Readonly<Record<number, TSchema>>;
}
