import { BoxwrightError } from '../errors.js';
import { HttpClient, type RetryOptions } from './http.js';

/** Where HCP issues service-principal tokens (documented by HashiCorp for HCP APIs). */
export const HCP_TOKEN_URL = 'https://auth.idp.hashicorp.com/oauth2/token';
/** The audience HCP tokens are issued for. */
export const HCP_AUDIENCE = 'https://api.hashicorp.cloud';

/** Options of {@link getHcpToken}. */
export interface HcpTokenOptions extends RetryOptions {
  /** Token endpoint. @default HCP_TOKEN_URL */
  tokenUrl?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Exchanges an HCP service principal's client id and secret for an access token (OAuth2
 * client-credentials grant). The token (about an hour long) is accepted as the bearer token of
 * the Vagrant Cloud v2 API for organizations migrated to HCP Vagrant Box Registry; see
 * docs/publishing.md.
 *
 * @throws {BoxwrightError} `E_REGISTRY_HTTP` when HCP refuses the credentials, `E_PUBLISH` on network failure.
 *   Neither the secret nor a token appears in any message.
 */
export async function getHcpToken(clientId: string, clientSecret: string, options: HcpTokenOptions = {}): Promise<string> {
  if (!clientId || !clientSecret) {
    throw new BoxwrightError('E_USAGE', 'HCP client id and secret are both needed: set HCP_CLIENT_ID and HCP_CLIENT_SECRET.', { path: 'token' });
  }
  const http = new HttpClient({
    ...options, secrets: [clientSecret], service: 'HCP auth',
    hints: { 400: 'check HCP_CLIENT_ID and HCP_CLIENT_SECRET of the service principal', 401: 'check HCP_CLIENT_ID and HCP_CLIENT_SECRET of the service principal' },
    invalidHeaderHint: 'check HCP_CLIENT_ID and HCP_CLIENT_SECRET',
  });
  const form = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials', audience: HCP_AUDIENCE });
  const { data } = await http.request<{ access_token?: unknown }>({
    method: 'POST',
    url: options.tokenUrl ?? HCP_TOKEN_URL,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: () => ({ body: form.toString() }),
  });
  if (typeof data.access_token !== 'string' || data.access_token === '') {
    throw new BoxwrightError('E_PUBLISH', 'HCP auth answered without an access_token: check HCP_CLIENT_ID / HCP_CLIENT_SECRET of the service principal.');
  }
  return data.access_token;
}
