import { BoxwrightError } from '../errors.js';

/** Environment variables of HTTP PUT catalog credentials (never flags: argv is visible to every user). */
export const PUBLISH_ENV = {
  token: 'BOXWRIGHT_PUBLISH_TOKEN',
  user: 'BOXWRIGHT_PUBLISH_USER',
  password: 'BOXWRIGHT_PUBLISH_PASSWORD',
} as const;

/** The Authorization header for an HTTP catalog, and every string to keep out of messages. */
export interface HttpCredentials {
  headers: Record<string, string>;
  secrets: string[];
  /** How the credentials were given, for messages (never the values). */
  source: string;
}

/**
 * Credentials of an HTTP PUT catalog from the environment: `BOXWRIGHT_PUBLISH_TOKEN` as a bearer
 * token, or `BOXWRIGHT_PUBLISH_USER` + `BOXWRIGHT_PUBLISH_PASSWORD` for basic auth; none: no header.
 *
 * @throws {BoxwrightError} `E_USAGE` when both kinds are set or only half of basic auth is.
 */
export function httpCredentials(env: NodeJS.ProcessEnv = process.env): HttpCredentials {
  const token = env[PUBLISH_ENV.token] || undefined;
  const user = env[PUBLISH_ENV.user] || undefined;
  const password = env[PUBLISH_ENV.password] || undefined;
  if (token && (user || password)) {
    throw new BoxwrightError('E_USAGE', `Set either ${PUBLISH_ENV.token} or ${PUBLISH_ENV.user} + ${PUBLISH_ENV.password}, not both.`, { path: 'credentials' });
  }
  if (token) return { headers: { Authorization: `Bearer ${token}` }, secrets: [token], source: PUBLISH_ENV.token };
  if (user || password) {
    if (!user || !password) {
      throw new BoxwrightError('E_USAGE', `Basic auth needs both ${PUBLISH_ENV.user} and ${PUBLISH_ENV.password}; only ${user ? PUBLISH_ENV.user : PUBLISH_ENV.password} is set.`, { path: 'credentials' });
    }
    if (user.includes(':')) throw new BoxwrightError('E_USAGE', `${PUBLISH_ENV.user} must not contain ":" (basic auth separates user and password with it).`, { path: 'credentials' });
    const encoded = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
    return { headers: { Authorization: `Basic ${encoded}` }, secrets: [password, encoded], source: `${PUBLISH_ENV.user} + ${PUBLISH_ENV.password}` };
  }
  return { headers: {}, secrets: [], source: 'none' };
}
