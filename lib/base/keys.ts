import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Folders where vagrant packages keep their gems (Debian package, HashiCorp's installer). */
const GEM_ROOTS = ['/usr/share/rubygems-integration/all/gems', '/opt/vagrant/embedded/gems/gems'];

/**
 * Path of Vagrant's well-known insecure private key as shipped by the host's vagrant install
 * (`<gems>/vagrant-<version>/keys/vagrant`), newest version first; undefined when vagrant is not
 * installed. Packer's `ssh_private_key_file` for a build of a Boxwright base, and the VM tests,
 * use it. Copy it to a 0600 file before handing it to ssh (the package ships it 0644).
 */
export async function findVagrantInsecurePrivateKey(roots: readonly string[] = GEM_ROOTS): Promise<string | undefined> {
  for (const root of roots) {
    let names: string[];
    try {
      names = await readdir(root);
    } catch {
      continue;
    }
    const versions = names.filter((name) => /^vagrant-\d/.test(name)).sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    for (const name of versions) {
      const key = path.join(root, name, 'keys', 'vagrant');
      if (existsSync(key)) return key;
    }
  }
  return undefined;
}
