import { stat } from 'node:fs/promises';
import path from 'node:path';

/** The `sha256sum` line for a file: `<hex>  <basename>`. */
export function sha256sumLine(sha256: string, file: string): string {
  return `${sha256}  ${path.basename(file)}\n`;
}

/** One installed package, as dpkg-query reports it. */
export interface InstalledPackage {
  name: string;
  version: string;
  architecture: string;
}

/** Parses the `name\tversion\tarch` lines pulled out of the image. */
export function parsePackageList(text: string): InstalledPackage[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [name = '', version = '', architecture = ''] = line.split('\t');
    return { name, version, architecture };
  });
}

/** Size of a file in bytes. */
export async function sizeOf(file: string): Promise<number> {
  return (await stat(file)).size;
}
