import type { ImageSpec } from './types.js';

/** Defaults of every optional field of an image spec. */
export const DEFAULTS: Omit<ImageSpec, 'name' | 'version' | 'dir'> = {
  description: '',
  base: 'ubuntu-24.04',
  providers: ['libvirt'],
  hostname: 'www.foobar.com',
  aliases: [],
  build: { kind: 'auto', accelerator: 'auto', sshTimeout: '15m' },
  vm: { cpus: 2, memory: 1024, diskSize: 8192 },
  nginx: { port: 80, clientMaxBodySize: '1m', proxyTimeout: 60 },
  app: { source: 'app', entry: 'server.js', port: 3000, user: 'app' },
  database: { engine: 'mysql', name: 'app', user: 'app' },
  network: { ip: '192.168.56.10' },
  firewall: { enabled: true },
};
