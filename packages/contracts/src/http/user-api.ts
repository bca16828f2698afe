import { Type, type Static } from '@sinclair/typebox';
import { COMMON_PROBLEMS, DateTime, Email, MAX_PAGE_SIZE, Page, PaginationQuery, PASSWORD_PATTERN, problems, Text, Uuid, type ApiRoute, type ApiSchema } from './common';

// The User Service's public HTTP API (the seed's `/user*` and `/event*`
// paths), as served by the service and re-validated and documented by the
// gateway. JSON names are snake_case like the seed's models.

export const ROLE_NAMES = ['buyer', 'organizer', 'admin'] as const;
export const RoleName = Type.Union(ROLE_NAMES.map((role) => Type.Literal(role)), { description: 'buyer: everyone; organizer: may create events; admin: everything' });

/** Passwords are bounded above so that hashing stays cheap for the server; the policy (length, blocklist) is checked by the service. */
export const PASSWORD_MAX_LENGTH = 128;
const Password = (description: string) => Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH, pattern: PASSWORD_PATTERN, description });

export const RegisterBody = Type.Object(
  {
    email: Email(),
    password: Password('At least 10 characters, not a common password, not the email address'),
  },
  { additionalProperties: false, title: 'RegisterRequest' },
);

export const LoginBody = Type.Object(
  { email: Email(), password: Password('The account password') },
  { additionalProperties: false, title: 'LoginRequest' },
);

/** A user as the API shows it: never the password or its hash. */
export const UserSchema = Type.Object(
  {
    id: Uuid(),
    email: Type.String({ maxLength: 254 }),
    roles: Type.Array(RoleName, { minItems: 1, maxItems: 3, uniqueItems: true }),
    created_at: DateTime(),
  },
  { additionalProperties: false, title: 'User' },
);

export const LoginResponse = Type.Object(
  {
    access_token: Type.String({ maxLength: 4096, description: 'Send as `Authorization: Bearer <token>`' }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds until the token expires' }),
    expires_at: DateTime(),
    user: UserSchema,
  },
  { additionalProperties: false, title: 'LoginResponse' },
);

export const UserIdParams = Type.Object({ id: Uuid('The user id') }, { additionalProperties: false });

export const ListUsersQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });
export const UserPage = Page(UserSchema, 'UserPage');

/** Largest venue the marketplace accepts; also bounds total_seats. */
export const MAX_CAPACITY = 1_000_000;
/** 10^11 minor units (a billion in major units): far above any ticket, far below 2^53. */
export const MAX_PRICE_MINOR = 100_000_000_000;

export const VenueInput = Type.Object(
  {
    name: Text(200, { minLength: 1 }),
    location: Text(500, { minLength: 1 }),
    capacity: Type.Integer({ minimum: 1, maximum: MAX_CAPACITY }),
  },
  { additionalProperties: false, title: 'VenueInput' },
);

export const VenueSchema = Type.Object(
  {
    id: Uuid(),
    name: Type.String({ maxLength: 200 }),
    location: Type.String({ maxLength: 500 }),
    capacity: Type.Integer({ minimum: 1, maximum: MAX_CAPACITY }),
  },
  { additionalProperties: false, title: 'Venue' },
);

export const CreateEventBody = Type.Object(
  {
    name: Text(200, { minLength: 1 }),
    description: Text(5000, { multiLine: true }),
    date_time: DateTime('When the event starts; must be in the future'),
    venue: VenueInput,
    total_seats: Type.Integer({ minimum: 1, maximum: MAX_CAPACITY, description: 'At most the venue capacity' }),
    price: Type.Integer({ minimum: 0, maximum: MAX_PRICE_MINOR, description: 'Ticket price in minor units of `currency` (e.g. cents)' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3, description: 'ISO 4217 code, e.g. EUR' }),
  },
  { additionalProperties: false, title: 'CreateEventRequest' },
);

export const EventSchema = Type.Object(
  {
    id: Uuid(),
    name: Type.String({ maxLength: 200 }),
    description: Type.String({ maxLength: 5000 }),
    date_time: DateTime(),
    venue: VenueSchema,
    total_seats: Type.Integer({ minimum: 1, maximum: MAX_CAPACITY }),
    available_seats: Type.Integer({ minimum: 0, maximum: MAX_CAPACITY }),
    price: Type.Integer({ minimum: 0, maximum: MAX_PRICE_MINOR, description: 'Minor units of `currency`' }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    organizer_id: Uuid(),
    created_at: DateTime(),
  },
  { additionalProperties: false, title: 'Event' },
);

export const EventIdParams = Type.Object({ id: Uuid('The event id') }, { additionalProperties: false });

export const ListEventsQuery = Type.Object(
  {
    ...PaginationQuery,
    from: Type.Optional(DateTime('Only events starting at or after this instant')),
    to: Type.Optional(DateTime('Only events starting at or before this instant')),
    q: Type.Optional(Text(100, { minLength: 1, description: 'Case-insensitive text to find in the name or description' })),
  },
  { additionalProperties: false },
);
export const EventPage = Page(EventSchema, 'EventPage');

// Notifications and event subscriptions (docs/notifications.md: the contract the web UI is built against).

export const NOTIFICATION_KIND_NAMES = ['payment_pending', 'payment_succeeded', 'payment_failed', 'hold_expiring', 'order_expired', 'order_cancelled', 'event_reminder'] as const;

export const NotificationSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1, description: 'The user\'s own number for it: 1, 2, 3, ... without gaps' }),
    kind: Type.String({ maxLength: 64, description: `One of ${NOTIFICATION_KIND_NAMES.join(', ')}` }),
    message: Type.String({ maxLength: 2000 }),
    order_id: Type.Optional(Type.String({ maxLength: 100 })),
    event_id: Type.Optional(Uuid()),
    created_at: DateTime(),
  },
  { additionalProperties: false, title: 'Notification' },
);

export const ListNotificationsQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Only notifications with a greater id' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, description: 'Page size' })),
  },
  { additionalProperties: false },
);

export const NotificationPage = Type.Object(
  {
    items: Type.Array(NotificationSchema, { maxItems: MAX_PAGE_SIZE }),
    next_after: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Pass as `after` for the next page; null when this page was the last' }),
  },
  { additionalProperties: false, title: 'NotificationPage' },
);

export const SubscribeBody = Type.Object({ event_id: Uuid('The event to be reminded of') }, { additionalProperties: false, title: 'SubscribeRequest' });

export const SubscriptionSchema = Type.Object(
  { event_id: Uuid(), subscribed_at: DateTime() },
  { additionalProperties: false, title: 'Subscription' },
);

export const SubscriptionList = Type.Object(
  { items: Type.Array(SubscriptionSchema, { maxItems: 1_000 }) },
  { additionalProperties: false, title: 'SubscriptionList' },
);

export const SubscriptionParams = Type.Object({ event_id: Uuid('The event id') }, { additionalProperties: false });

export const NotificationSocketQuery = Type.Object(
  {
    token: Type.Optional(Type.String({ maxLength: 4096, description: 'The access token (browsers cannot set headers on a WebSocket); never logged' })),
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The last notification id seen: the stored ones after it are replayed first' })),
  },
  { additionalProperties: false },
);

export type RegisterBody = Static<typeof RegisterBody>;
export type LoginBody = Static<typeof LoginBody>;
export type UserView = Static<typeof UserSchema>;
export type LoginView = Static<typeof LoginResponse>;
export type UserPageView = Static<typeof UserPage>;
export type ListUsersQuery = Static<typeof ListUsersQuery>;
export type CreateEventBody = Static<typeof CreateEventBody>;
export type EventView = Static<typeof EventSchema>;
export type EventPageView = Static<typeof EventPage>;
export type ListEventsQuery = Static<typeof ListEventsQuery>;
export type NotificationView = Static<typeof NotificationSchema>;
export type ListNotificationsQuery = Static<typeof ListNotificationsQuery>;

const route = <S extends ApiSchema>(method: ApiRoute['method'], url: string, schema: S): ApiRoute<S> => ({ method, url, schema });

/** Every public route of the User Service; the service serves them and the gateway exposes them, both from this table. */
export const userApi = {
  register: route('POST', '/user/register', {
    summary: 'Register a new account (role: buyer)',
    tags: ['users'],
    operationId: 'registerUser',
    body: RegisterBody,
    response: { 201: UserSchema, ...problems(...COMMON_PROBLEMS, 409, 413, 415) },
  }),
  login: route('POST', '/user/login', {
    summary: 'Log in and receive an access token',
    description: 'Wrong email or password both answer one generic 401 INVALID_CREDENTIALS. Repeated failures from one address for one email are slowed down with a growing lockout (429 with Retry-After).',
    tags: ['users'],
    operationId: 'login',
    body: LoginBody,
    response: { 200: LoginResponse, ...problems(...COMMON_PROBLEMS, 401, 413, 415, 429) },
  }),
  getUser: route('GET', '/user/:id', {
    summary: 'Get a user (the user themself or an admin)',
    tags: ['users'],
    operationId: 'getUser',
    params: UserIdParams,
    response: { 200: UserSchema, ...problems(...COMMON_PROBLEMS, 401, 403, 404) },
  }),
  listUsers: route('GET', '/user', {
    summary: 'List users (admins only)',
    tags: ['users'],
    operationId: 'listUsers',
    querystring: ListUsersQuery,
    response: { 200: UserPage, ...problems(...COMMON_PROBLEMS, 401, 403) },
  }),
  grantOrganizer: route('PUT', '/user/:id/roles/organizer', {
    summary: 'Grant the organizer role (admins only); effective from the user\'s next login',
    tags: ['users'],
    operationId: 'grantOrganizer',
    params: UserIdParams,
    response: { 200: UserSchema, ...problems(...COMMON_PROBLEMS, 401, 403, 404) },
  }),
  revokeOrganizer: route('DELETE', '/user/:id/roles/organizer', {
    summary: 'Revoke the organizer role (admins only)',
    tags: ['users'],
    operationId: 'revokeOrganizer',
    params: UserIdParams,
    response: { 200: UserSchema, ...problems(...COMMON_PROBLEMS, 401, 403, 404) },
  }),
  createEvent: route('POST', '/event', {
    summary: 'Create an event (organizers and admins)',
    tags: ['events'],
    operationId: 'createEvent',
    body: CreateEventBody,
    response: { 201: EventSchema, ...problems(...COMMON_PROBLEMS, 401, 403, 413, 415) },
  }),
  listEvents: route('GET', '/event', {
    summary: 'List events by start time, optionally within a date range and matching a text',
    tags: ['events'],
    operationId: 'listEvents',
    querystring: ListEventsQuery,
    response: { 200: EventPage, ...problems(...COMMON_PROBLEMS, 401) },
  }),
  getEvent: route('GET', '/event/:id', {
    summary: 'Get an event',
    tags: ['events'],
    operationId: 'getEvent',
    params: EventIdParams,
    response: { 200: EventSchema, ...problems(...COMMON_PROBLEMS, 401, 404) },
  }),
  listNotifications: route('GET', '/notifications', {
    summary: 'The caller\'s notifications after an id, oldest first',
    tags: ['notifications'],
    operationId: 'listNotifications',
    querystring: ListNotificationsQuery,
    response: { 200: NotificationPage, ...problems(...COMMON_PROBLEMS, 401) },
  }),
  subscribeEvent: route('POST', '/subscribe/event', {
    summary: 'Subscribe to an event: reminders before it starts and live seat counts while connected',
    description: '201 when new, 200 with the same body when already subscribed.',
    tags: ['notifications'],
    operationId: 'subscribeEvent',
    body: SubscribeBody,
    response: { 201: SubscriptionSchema, 200: SubscriptionSchema, ...problems(...COMMON_PROBLEMS, 401, 404, 413, 415) },
  }),
  unsubscribeEvent: route('DELETE', '/subscribe/event/:event_id', {
    summary: 'Unsubscribe from an event (no error if not subscribed)',
    tags: ['notifications'],
    operationId: 'unsubscribeEvent',
    params: SubscriptionParams,
    response: { 204: Type.Null({ description: 'Unsubscribed' }), ...problems(...COMMON_PROBLEMS, 401) },
  }),
  listSubscriptions: route('GET', '/subscribe/event', {
    summary: 'The caller\'s event subscriptions',
    tags: ['notifications'],
    operationId: 'listSubscriptions',
    response: { 200: SubscriptionList, ...problems(...COMMON_PROBLEMS, 401) },
  }),
} as const;

/**
 * The notification WebSocket. Not in `userApi` (not proxied as HTTP): the
 * gateway authenticates the `token` query parameter and pipes the upgrade to
 * a User Service instance. A plain GET answers 426 UPGRADE_REQUIRED.
 */
export const notificationSocket = route('GET', '/notification', {
  summary: 'WebSocket: the caller\'s notifications (replay after `after`, then live) and live seat counts',
  description: 'Connect with a WebSocket upgrade and `?token=<access token>`. Frames: see docs/notifications.md. Without an upgrade: 426.',
  tags: ['notifications'],
  operationId: 'notificationSocket',
  querystring: NotificationSocketQuery,
  response: { ...problems(...COMMON_PROBLEMS, 401, 426, 429) },
});
