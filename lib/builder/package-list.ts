/** The installed-package list a build copies out of the image (written once, by the cleanup phase). */

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
