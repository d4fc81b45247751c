import { execa } from 'execa';
import type { VmHandle } from './boot.js';

/** Runs a command in the guest as `vagrant`; rejects with its output when it exits non-zero. */
export async function guest(vm: VmHandle, command: string, input?: string): Promise<string> {
  const result = await vm.ssh(command, { timeoutMs: 600_000, ...(input === undefined ? {} : { input }) });
  if (result.exitCode !== 0) throw new Error(`guest: ${command} → exit ${result.exitCode}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Writes files (name → content) into a guest folder as root, mode 0755, through base64 over SSH. */
export async function uploadFiles(vm: VmHandle, guestDir: string, files: ReadonlyMap<string, string | Buffer>): Promise<void> {
  for (const [name, content] of files) {
    const encoded = Buffer.from(content).toString('base64');
    await guest(vm, `sudo mkdir -p ${guestDir} && base64 -d | sudo tee ${guestDir}/${name} >/dev/null && sudo chmod 0755 ${guestDir}/${name}`, encoded);
  }
}

/** Packs `paths` (relative to `dir`) on the host and unpacks them into `guestDir` as root. */
export async function uploadTree(vm: VmHandle, dir: string, paths: readonly string[], guestDir: string): Promise<void> {
  const { stdout } = await execa('bash', ['-c', 'tar -C "$1" -czf - "${@:2}" | base64 -w0', 'tar', dir, ...paths]);
  await guest(vm, `sudo rm -rf ${guestDir} && sudo mkdir -p ${guestDir} && base64 -d | sudo tar -xzf - -C ${guestDir}`, stdout);
}

/** An HTTP answer seen from inside the VM's namespace. */
export interface HttpAnswer {
  /** curl's exit code: 0, or e.g. 52 when the server closed the connection without a reply. */
  exitCode: number;
  /** Status code, `''` when there was no reply. */
  status: string;
  headers: string;
  body: string;
}

/**
 * GET `http://<hostName><urlPath>` from inside the VM's namespace, resolving the name to the VM's
 * static IP the way a hosts-file entry would (`curl --resolve`).
 */
export async function httpGet(vm: VmHandle, hostName: string, urlPath: string): Promise<HttpAnswer> {
  const result = await vm.exec(['curl', '-sS', '-m', '20', '-D', '-', '--resolve', `${hostName}:80:${vm.ip}`, `http://${hostName}${urlPath}`], { timeoutMs: 30_000 });
  const [headers = '', body = ''] = result.stdout.split(/\r?\n\r?\n/, 2);
  const status = /^HTTP\/[\d.]+ (\d{3})/.exec(headers)?.[1] ?? '';
  return { exitCode: result.exitCode, status, body, headers };
}

/** The visit counter the sample app prints (`<strong id="visits">N</strong>`), or NaN. */
export function counterOf(body: string): number {
  const match = /id="visits">(\d+)</.exec(body) ?? /visits?\D{0,40}?(\d+)/i.exec(body);
  return Number(match?.[1] ?? Number.NaN);
}
