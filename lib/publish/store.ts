/** What a catalog store read: metadata.json's text (absent: no catalog yet) and its version tag. */
export interface CatalogSnapshot {
  /** The text of metadata.json; `undefined` when there is none. */
  text?: string;
  /** The server's ETag of that text, when it gave one. */
  etag?: string;
}

/**
 * Where a catalog lives (a folder, an HTTP PUT server, an S3 bucket): the few operations the
 * publish flow needs. A box is written before metadata.json names it; metadata.json is written
 * only if it is still what was read ({@link CatalogStore.commit}), so two publishes never lose
 * each other's entries.
 */
export interface CatalogStore {
  /** Where the catalog is, for messages (never with credentials). */
  readonly location: string;
  /** The URL the catalog is served at when the caller gives none. */
  readonly defaultBaseUrl?: string;
  /** Checks what the server can do (conditional writes, a lock) before anything is uploaded. */
  prepare(): Promise<void>;
  /** Reads metadata.json. */
  read(): Promise<CatalogSnapshot>;
  /** Whether `relative` already holds this box (same size, and same sha256 where the store can tell). */
  hasBox(relative: string, size: number, sha256: string): Promise<boolean>;
  /** Uploads the box to `relative` (complete or not at all; resumable where the store can). */
  putBox(relative: string, file: string, size: number, sha256: string): Promise<void>;
  /** Writes metadata.json if it is still `expected`; `false` when it changed meanwhile (re-read and merge). */
  commit(expected: CatalogSnapshot, text: string): Promise<boolean>;
  /** Where `relative` is, for the result (a path or a URL). */
  locate(relative: string): string;
}
