import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { BoxwrightError } from '../errors.js';
import type { ImageSpec } from './types.js';
import { validateImage } from './validate.js';

/** Largest image.json read: 1 MiB (a real one is under 2 KiB). */
export const IMAGE_FILE_MAX_BYTES = 1024 * 1024;

/** Deepest nesting of lists and objects in image.json (the spec itself needs 3). */
export const IMAGE_FILE_MAX_DEPTH = 64;

/** Resolves an image folder or an image.json path to the absolute path of image.json. */
export async function resolveImagePath(pathOrDir: string): Promise<string> {
  const absolute = path.resolve(pathOrDir);
  const info = await stat(absolute).catch((cause: unknown) => {
    throw new BoxwrightError('E_SPEC_READ', `image not found: ${pathOrDir}; give an image folder holding image.json, or the path of an image.json`, { cause });
  });
  return info.isDirectory() ? path.join(absolute, 'image.json') : absolute;
}

/**
 * The text of image.json, read safely: opened without blocking (a FIFO or a device never hangs the
 * read), refused unless it is a regular file of at most {@link IMAGE_FILE_MAX_BYTES}.
 */
async function readImageFile(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY).catch((cause: unknown) => {
    throw new BoxwrightError('E_SPEC_READ', `cannot read ${file}; check that the image folder holds an image.json`, { cause });
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new BoxwrightError('E_SPEC_READ', `${file} is not a regular file (a FIFO, socket or device); give the path of an image.json file`);
    }
    if (info.size > IMAGE_FILE_MAX_BYTES) {
      throw new BoxwrightError('E_SPEC_READ', `${file} is ${info.size} bytes, over the ${IMAGE_FILE_MAX_BYTES}-byte limit of an image.json; a spec is a few KiB: check that this is the right file`);
    }
    // Read at most one byte past the limit, in case the file grew after the stat.
    const buffer = Buffer.alloc(Math.min(info.size, IMAGE_FILE_MAX_BYTES) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > IMAGE_FILE_MAX_BYTES) {
      throw new BoxwrightError('E_SPEC_READ', `${file} is over the ${IMAGE_FILE_MAX_BYTES}-byte limit of an image.json; check that this is the right file`);
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

/** The deepest nesting of `[` and `{` in JSON text (outside strings); stops counting past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Reads image.json (from a folder or a file path), applies defaults and validates it.
 * Throws `E_SPEC_READ` when the file is missing, not a regular file, larger than
 * {@link IMAGE_FILE_MAX_BYTES}, nested deeper than {@link IMAGE_FILE_MAX_DEPTH} or not JSON;
 * `E_SPEC_INVALID` when a field is wrong.
 */
export async function loadImage(pathOrDir: string): Promise<ImageSpec> {
  const file = await resolveImagePath(pathOrDir);
  const text = await readImageFile(file);
  if (jsonDepth(text, IMAGE_FILE_MAX_DEPTH) > IMAGE_FILE_MAX_DEPTH) {
    throw new BoxwrightError('E_SPEC_READ', `${file} nests lists or objects more than ${IMAGE_FILE_MAX_DEPTH} levels deep; an image spec needs 3: check that this is the right file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const reason = (cause as Error).message;
    throw new BoxwrightError('E_SPEC_READ', `${file} is not valid JSON (${reason.length > 120 ? `${reason.slice(0, 120)}…` : reason}); fix the syntax`, { cause });
  }
  return validateImage(parsed, path.dirname(file));
}
