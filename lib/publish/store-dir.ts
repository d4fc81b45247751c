import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BoxwrightError } from '../errors.js';
import { copyFileAtomic, writeFileAtomic, type BeforeRename } from '../util/atomic.js';
import { sha256File } from '../util/hash.js';
import { withMutex } from '../util/mutex.js';
import { METADATA_FILE } from './catalog-metadata.js';
import type { CatalogSnapshot, CatalogStore } from './store.js';

/** @internal Test hooks run before each rename (box, then metadata). */
export interface DirStoreHooks {
  beforeBoxRename?: BeforeRename;
  beforeMetadataRename?: BeforeRename;
}

/** Name of the mutex file that makes a folder's read-compare-write of metadata.json one step. */
export const DIR_MUTEX_FILE = '.boxwright-publish.lock';

/**
 * A catalog in a local folder. Files are written to a temp file and renamed into place;
 * metadata.json is compared and replaced under the one inter-process mutex (lib/util/mutex.ts),
 * so concurrent publishes on this host take turns only for that instant.
 */
export class DirStore implements CatalogStore {
  readonly location: string;
  readonly #dir: string;
  readonly #hooks: DirStoreHooks;

  constructor(dir: string, hooks: DirStoreHooks = {}) {
    this.#dir = dir;
    this.location = dir;
    this.#hooks = hooks;
  }

  async prepare(): Promise<void> {
    await mkdir(this.#dir, { recursive: true }).catch((error: unknown) => {
      throw new BoxwrightError('E_PUBLISH', `Cannot create the catalog folder ${this.#dir}: check the path and its permissions.`, { cause: error });
    });
  }

  async read(): Promise<CatalogSnapshot> {
    try {
      return { text: await readFile(join(this.#dir, METADATA_FILE), 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new BoxwrightError('E_PUBLISH', `Cannot read ${join(this.#dir, METADATA_FILE)}: check its permissions.`, { cause: error });
    }
  }

  async hasBox(relative: string, size: number, sha256: string): Promise<boolean> {
    const path = this.locate(relative);
    try {
      const info = await stat(path);
      return info.isFile() && info.size === size && (await sha256File(path)) === sha256;
    } catch {
      return false;
    }
  }

  async putBox(relative: string, file: string): Promise<void> {
    const path = this.locate(relative);
    await mkdir(dirname(path), { recursive: true });
    await copyFileAtomic(file, path, this.#hooks.beforeBoxRename);
  }

  async commit(expected: CatalogSnapshot, text: string): Promise<boolean> {
    return withMutex(join(this.#dir, DIR_MUTEX_FILE), async () => {
      const now = await this.read();
      if (now.text !== expected.text) return false;
      await writeFileAtomic(join(this.#dir, METADATA_FILE), text, this.#hooks.beforeMetadataRename);
      return true;
    });
  }

  locate(relative: string): string {
    return join(this.#dir, ...relative.split('/'));
  }
}
