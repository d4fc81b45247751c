import { BoxwrightError } from '../../errors.js';
import type { SshHost } from '../ssh.js';

/** Name of the one machine of a `single` lab. */
export const SINGLE_MACHINE = 'default';
/** Names of the app servers of an `ha` lab: app1, app2, ... */
export const APP_MACHINE = /^app([1-9][0-9]*)$/;
/** Names of the load balancers of an `ha` lab: lb1, lb2. */
export const LB_MACHINE = /^lb([1-9][0-9]*)$/;

/** The hosts whose name matches `pattern` (a number in its first group), by that number. Pure. */
function numbered(hosts: readonly SshHost[], pattern: RegExp): string[] {
  return hosts.map((h) => h.name).filter((n) => pattern.test(n))
    .sort((a, b) => Number(pattern.exec(a)![1]) - Number(pattern.exec(b)![1]));
}

/** The running load balancers (none in a `single` lab), by number. Pure. */
export function loadBalancers(hosts: readonly SshHost[]): string[] {
  return numbered(hosts, LB_MACHINE);
}

/**
 * The machines that run the app, in deploy order: `default` (single lab) or app1, app2, ... (ha
 * lab, by number, so app10 comes after app9). Load balancers and databases are left out.
 * Throws `E_LAB` when there is none. Pure.
 */
export function appMachines(hosts: readonly SshHost[]): string[] {
  const names = hosts.map((h) => h.name);
  const apps = numbered(hosts, APP_MACHINE);
  const found = names.includes(SINGLE_MACHINE) ? [SINGLE_MACHINE, ...apps] : apps;
  if (found.length === 0) {
    throw new BoxwrightError('E_LAB', `the lab runs no app machine (running: ${names.join(', ') || 'none'}); start it with \`vagrant up\``);
  }
  return found;
}
