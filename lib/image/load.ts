import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BoxwrightError } from '../errors.js';
import type { ImageSpec } from './types.js';
import { validateImage } from './validate.js';

/** Resolves an image folder or an image.json path to the absolute path of image.json. */
export async function resolveImagePath(pathOrDir: string): Promise<string> {
  const absolute = path.resolve(pathOrDir);
  const info = await stat(absolute).catch((cause: unknown) => {
    throw new BoxwrightError('E_SPEC_READ', `image not found: ${pathOrDir}; give an image folder holding image.json, or the path of an image.json`, { cause });
  });
  return info.isDirectory() ? path.join(absolute, 'image.json') : absolute;
}

/**
 * Reads image.json (from a folder or a file path), applies defaults and validates it.
 * Throws `E_SPEC_READ` when the file is missing or not JSON, `E_SPEC_INVALID` when a field is wrong.
 */
export async function loadImage(pathOrDir: string): Promise<ImageSpec> {
  const file = await resolveImagePath(pathOrDir);
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new BoxwrightError('E_SPEC_READ', `cannot read ${file}; check that the image folder holds an image.json`, { cause });
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new BoxwrightError('E_SPEC_READ', `${file} is not valid JSON (${(cause as Error).message}); fix the syntax`, { cause });
  }
  return validateImage(parsed, path.dirname(file));
}
