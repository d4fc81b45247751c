import { BoxwrightError } from '../errors.js';
import { normalizeBaseUrl } from './catalog-metadata.js';
import type { PublishEventHandler } from './events.js';
import type { CatalogStore } from './store.js';

/** What {@link openCatalogStore} needs. */
export interface CatalogUrlTarget {
  /** `https://host/path/`, `http://…`, or `s3://bucket/prefix/`. */
  url: string;
  singleWriter?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * The store of a remote catalog URL: HTTP PUT for `http(s)://` (credentials from the environment,
 * never from the URL), the AWS SDK for `s3://` (loaded only then).
 *
 * @throws {BoxwrightError} `E_SPEC_INVALID` for another scheme or a URL with credentials, query or fragment.
 */
export async function openCatalogStore(target: CatalogUrlTarget, context: { onEvent?: PublishEventHandler; signal?: AbortSignal } = {}): Promise<CatalogStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target.url)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const { S3Store } = await import('./store-s3.js');
    return new S3Store({ url: target.url, env: target.env, singleWriter: target.singleWriter, onEvent: context.onEvent });
  }
  if (scheme === 'http' || scheme === 'https') {
    const url = normalizeBaseUrl(target.url, 'catalogUrl', '--catalog-url');
    const { HttpStore } = await import('./store-http.js');
    return new HttpStore({ url, env: target.env, singleWriter: target.singleWriter, onEvent: context.onEvent, signal: context.signal });
  }
  throw new BoxwrightError('E_SPEC_INVALID', `--catalog-url must be https://…/ (HTTP PUT) or s3://bucket/prefix/ (got ${scheme ? `${scheme}:` : 'no scheme'}); for a local folder use --catalog DIR.`, { path: 'catalogUrl' });
}
