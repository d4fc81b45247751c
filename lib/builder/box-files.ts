/** The files a build writes beside its box: the `.sha256` sidecar line and sizes. */
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** The `sha256sum` line for a file: `<hex>  <basename>`. */
export function sha256sumLine(sha256: string, file: string): string {
  return `${sha256}  ${path.basename(file)}\n`;
}

/** Size of a file in bytes. */
export async function sizeOf(file: string): Promise<number> {
  return (await stat(file)).size;
}
