import { ServiceError } from './errors.js';

/**
 * The settings of the HTTP surface: who may call it, how much it takes, how many it serves at once.
 * Read from the environment like the rest of the configuration; see docs in the README's Configuration.
 */
export interface ApiConfig {
  /**
   * `keys`: every /v1 request needs `Authorization: Bearer <one of apiKeys>`, every /admin request the
   * admin key. `off`: anyone who reaches the port may call everything (GENAI_AUTH=off, or a service bound
   * to a loopback address with no key configured: the local default of `genai up`).
   */
  auth: 'keys' | 'off';
  /** Why auth is what it is, for the start-up log line. */
  authReason: string;
  apiKeys: string[];
  /** The key for /admin/*; null means the admin API answers 401 while auth is on. */
  adminKey: string | null;
  /** Origins allowed by CORS; empty: no CORS headers at all (browsers block cross-origin reads). */
  corsOrigins: string[];
  /** Request bodies over this many bytes get 413. */
  maxBodyBytes: number;
  /** Requests answered at once; more wait in a queue. */
  maxInflight: number;
  /** Requests that may wait; beyond that the service answers 503 with Retry-After. */
  maxQueue: number;
  /** Questions over this many characters get 400. */
  maxQuestionLength: number;
  /** Requests per key (or per client address with auth off) and minute; 0 turns the limit off. */
  rateLimitPerMinute: number;
}

export const apiDefaults = {
  maxBodyBytes: 64 * 1024,
  // PGlite answers one query at a time: more than a few in flight only lengthens every request.
  maxInflight: 8,
  maxQueue: 64,
  maxQuestionLength: 2000,
  rateLimitPerMinute: 120,
} as const;

type Env = Record<string, string | undefined>;

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/** The API settings from the environment; `host` is the address the server binds to. */
export function loadApiConfig(env: Env, host: string): ApiConfig {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const list = (name: string) =>
    (value(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  const apiKeys = list('GENAI_API_KEYS');
  const adminKey = value('GENAI_ADMIN_KEY') ?? null;
  for (const [name, key] of [...apiKeys.map((k) => ['GENAI_API_KEYS', k] as const), ['GENAI_ADMIN_KEY', adminKey]]) {
    if (key !== null && key.length < 16) {
      throw new ServiceError(
        'weak_api_key',
        `a key in ${name} has ${key.length} characters; keys need at least 16`,
        `generate one with: node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))"`,
      );
    }
  }
  if (adminKey !== null && apiKeys.includes(adminKey)) {
    throw new ServiceError(
      'admin_key_reused',
      'GENAI_ADMIN_KEY is also one of GENAI_API_KEYS',
      'give the admin API its own key: whoever may ask questions must not read everyone else’s',
    );
  }

  const mode = value('GENAI_AUTH')?.toLowerCase();
  if (mode !== undefined && mode !== 'on' && mode !== 'off') {
    throw new ServiceError(
      'invalid_auth',
      `GENAI_AUTH "${mode}" is not on or off`,
      'set GENAI_AUTH=on, off, or unset it',
    );
  }
  let auth: ApiConfig['auth'];
  let authReason: string;
  if (mode === 'off') {
    auth = 'off';
    authReason = 'GENAI_AUTH=off';
  } else if (apiKeys.length > 0 || adminKey !== null) {
    auth = 'keys';
    authReason = `${apiKeys.length} API key(s)${adminKey ? ' and an admin key' : ', no admin key'}`;
  } else if (mode === undefined && loopback.has(host)) {
    auth = 'off';
    authReason = `no key configured and bound to ${host} (loopback)`;
  } else {
    throw new ServiceError(
      'missing_api_keys',
      mode === 'on'
        ? 'GENAI_AUTH=on but GENAI_API_KEYS is empty'
        : `the service binds to ${host} and no API key is configured`,
      'set GENAI_API_KEYS (comma-separated) and GENAI_ADMIN_KEY, or GENAI_AUTH=off to serve without keys',
    );
  }

  return {
    auth,
    authReason,
    apiKeys,
    adminKey,
    corsOrigins: list('GENAI_CORS_ORIGINS'),
    maxBodyBytes: integer(env, 'GENAI_MAX_BODY_BYTES', apiDefaults.maxBodyBytes, 1024, 16 * 1024 * 1024),
    maxInflight: integer(env, 'GENAI_MAX_INFLIGHT', apiDefaults.maxInflight, 1, 10_000),
    maxQueue: integer(env, 'GENAI_MAX_QUEUE', apiDefaults.maxQueue, 0, 100_000),
    maxQuestionLength: integer(env, 'GENAI_MAX_QUESTION_LENGTH', apiDefaults.maxQuestionLength, 1, 100_000),
    rateLimitPerMinute: integer(env, 'GENAI_RATE_LIMIT_PER_MINUTE', apiDefaults.rateLimitPerMinute, 0, 1_000_000),
  };
}

/** The settings tests and embedders start from: auth off, defaults everywhere. */
export function openApiConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    auth: 'off',
    authReason: 'test',
    apiKeys: [],
    adminKey: null,
    corsOrigins: [],
    ...apiDefaults,
    ...overrides,
  };
}

export function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const parsed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new ServiceError(
      'invalid_number',
      `${name} "${raw}" is not a whole number from ${min} to ${max}`,
      `set ${name} to a number in that range, or unset it`,
    );
  }
  return parsed;
}

/** Where traces go and how long they stay. */
export interface TracingConfig {
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); unset: store only. */
  otlpEndpoint: string | undefined;
  /** Days traces, spans and interactions are kept in the service's store. */
  retentionDays: number;
  /** Traces kept at most; the oldest go first. */
  maxTraces: number;
}

export function loadTracingConfig(env: Env): TracingConfig {
  const otlp = (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT)?.trim();
  return {
    otlpEndpoint: otlp ? otlp : undefined,
    retentionDays: integer(env, 'GENAI_TRACE_RETENTION_DAYS', 14, 1, 3650),
    maxTraces: integer(env, 'GENAI_TRACE_MAX', 50_000, 100, 100_000_000),
  };
}
