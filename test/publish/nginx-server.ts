import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether Debian's nginx (with the DAV module, as nginx-light has it) is installed. */
export function hasNginx(): boolean {
  try {
    return /--with-http_dav_module/.test(execFileSync('sh', ['-c', 'nginx -V 2>&1'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A real nginx on 127.0.0.1 serving `root` with the DAV module and basic auth on writes. */
export interface Nginx {
  url: string;
  root: string;
  /** Folder where nginx keeps request bodies while they arrive (a killed upload leaves its file here). */
  bodyTemp: string;
  accessLog: string;
  stop(): Promise<void>;
}

/**
 * Starts nginx in `dir` (its own prefix, pid file and logs; no daemon, no master as root user
 * switch beyond Debian's default). `methods` is the `dav_methods` line: `PUT DELETE MKCOL` lets
 * Boxwright lock the catalog; `PUT` alone cannot.
 */
export async function startNginx(dir: string, user: string, password: string, methods = 'PUT DELETE MKCOL'): Promise<Nginx> {
  const root = join(dir, 'www');
  const bodyTemp = join(dir, 'body');
  await mkdir(root, { recursive: true });
  await mkdir(bodyTemp, { recursive: true });
  await chmod(root, 0o777); // the worker runs as nobody
  await chmod(bodyTemp, 0o777);
  const hash = execFileSync('openssl', ['passwd', '-apr1', password], { encoding: 'utf8' }).trim();
  await writeFile(join(dir, 'htpasswd'), `${user}:${hash}\n`);
  const port = await freePort();
  const accessLog = join(dir, 'access.log');
  await writeFile(join(dir, 'nginx.conf'), `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${accessLog};
  client_body_temp_path ${bodyTemp};
  client_max_body_size 0;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
      dav_methods ${methods};
      create_full_put_path on;
      dav_access user:rw group:rw all:r;
      limit_except GET HEAD {
        auth_basic "boxes";
        auth_basic_user_file ${dir}/htpasswd;
      }
    }
  }
}
`);
  const child: ChildProcess = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    if (ok) break;
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    root,
    bodyTemp,
    accessLog,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGQUIT');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
