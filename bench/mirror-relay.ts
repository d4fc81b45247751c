/**
 * A relay that lets a VM inside a private network namespace reach the Debian mirror, without
 * giving the namespace any route out: inside the namespace a listener on 127.0.0.1:<port> (which
 * the guest reaches as 10.0.2.2 through QEMU user networking) passes each connection through a
 * unix socket to this process, which connects to the mirror host. The guest's apt uses it as its
 * HTTP proxy; the mirror accepts the proxy-style absolute request URIs.
 *
 * Packer builds need none of this: their QEMU runs in the host's namespace.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stopChild } from './process.js';

/** The listener run inside the namespace (argv: unix socket path, port). */
const INSIDE = `
const net = require('node:net');
const [sock, port, host] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(sock);
  c.pipe(u).pipe(c);
  c.on('error', () => u.destroy());
  u.on('error', () => c.destroy());
}).listen(Number(port), host, () => console.log('ready'));
`;

/** A running relay. */
export interface MirrorRelay {
  /** The apt proxy URL as the guest sees it. */
  guestProxy: string;
  /** Stops the namespace listener (by PID) and the host side. */
  stop(): Promise<void>;
}

/**
 * Starts a relay from `<listenHost>:<port>` inside namespace `ns` to `upstream` (the mirror host,
 * port 80). The default 127.0.0.1 suits QEMU user networking; a libvirt guest on a bridge in the
 * namespace needs the bridge's address (or 0.0.0.0).
 */
export async function startMirrorRelay(ns: string, upstream = 'deb.debian.org', port = 3142, listenHost = '127.0.0.1'): Promise<MirrorRelay> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bw-relay-'));
  const sock = path.join(dir, 'relay.sock');
  const server = net.createServer((client) => {
    const up = net.connect(80, upstream);
    client.pipe(up).pipe(client);
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(sock, resolve));
  let inside: ResultPromise | undefined;
  const stop = async (): Promise<void> => {
    if (inside) await stopChild(inside, { graceMs: 2_000 });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    inside = execa('ip', ['netns', 'exec', ns, process.execPath, '-e', INSIDE, sock, String(port), listenHost], { reject: false, stdin: 'ignore', buffer: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the relay listener in the namespace did not start')), 15_000);
      inside!.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void inside!.then(() => { clearTimeout(timer); reject(new Error('the relay listener in the namespace exited')); });
    });
    return { guestProxy: `http://10.0.2.2:${port}/`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
