import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findVagrantInsecurePrivateKey } from '../../lib/base/index.js';
import { tempDir } from './helpers.js';

test('the insecure private key is taken from the newest vagrant gem that has one', async (t) => {
  const root = await tempDir(t);
  for (const version of ['2.3.4', '2.10.0', '2.9.9']) {
    await mkdir(path.join(root, `vagrant-${version}`, 'keys'), { recursive: true });
    await writeFile(path.join(root, `vagrant-${version}`, 'keys', 'vagrant'), version);
  }
  await mkdir(path.join(root, 'vagrant-libvirt-0.11.2', 'keys'), { recursive: true });
  t.is(await findVagrantInsecurePrivateKey([path.join(root, 'missing'), root]), path.join(root, 'vagrant-2.10.0', 'keys', 'vagrant'));
});

test('no vagrant install means no insecure private key', async (t) => {
  const root = await tempDir(t);
  t.is(await findVagrantInsecurePrivateKey([root]), undefined);
});
