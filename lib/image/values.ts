/**
 * Value rules shared by the image spec and the lab: host names, IPv4 addresses, ports, lab names.
 *
 * These are the only definitions of these rules in TypeScript. The Vagrantfile's Ruby
 * (`vagrant/settings.rb`) must give the same verdict; both sides are tested against one table,
 * `test/fixtures/values/cases.json`. Each `…Problem` function returns `undefined` for a good value,
 * else a short reason (lowercase, no trailing dot) to put into an error message.
 */

/** One RFC 1123 label: 1–63 letters, digits and inner dashes. */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Longest host name (RFC 1123 §2.1 with RFC 1035's 255-octet wire limit). */
export const HOSTNAME_MAX = 253;

/**
 * Longest name that becomes the VM's hostname: Linux's HOST_NAME_MAX (64). systemd-hostnamed and
 * `hostname(1)` refuse longer names, and the guest's `hostname -f` must give the whole name back.
 */
export const VM_HOSTNAME_MAX = 64;

/**
 * Names that a hosts file already maps to the loopback or multicast addresses (Debian's and
 * Ubuntu's default /etc/hosts, RFC 6761 for `localhost`). Mapping one of them to the VM's address
 * breaks the guest's own `127.0.0.1 localhost` line or the host's. Any name under `.localhost` is
 * refused too (RFC 6761 §6.3).
 */
export const RESERVED_HOSTNAMES: readonly string[] = [
  'localhost', 'localhost.localdomain', 'localhost4', 'localhost4.localdomain4', 'localhost6', 'localhost6.localdomain6',
  'ip6-localhost', 'ip6-loopback', 'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts',
  'broadcasthost',
];

/** `word` as a regex source that ignores ASCII case (JSON Schema patterns take no flags). */
export function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
}

const LABEL_SOURCE = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

/**
 * {@link hostnameProblem} as JSON Schema: `minLength` 1, `maxLength` {@link HOSTNAME_MAX}, this
 * `pattern` (RFC 1123 labels, the last one not all-numeric), and `not` {@link RESERVED_HOSTNAME_PATTERN}.
 */
export const HOSTNAME_PATTERN = `^(?:${LABEL_SOURCE}\\.)*(?![0-9]+$)${LABEL_SOURCE}$`;

/** The reserved host names and anything under `.localhost`, in any case, as one pattern. */
export const RESERVED_HOSTNAME_PATTERN = `^(?:(?:.*\\.)?${anyCase('localhost')}|${RESERVED_HOSTNAMES.filter((n) => n !== 'localhost').map(anyCase).join('|')})$`;

/** Why `name` is not a usable host name (RFC 1123, not numeric, not reserved), or `undefined`. */
export function hostnameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > HOSTNAME_MAX) return `is longer than ${HOSTNAME_MAX} characters`;
  const labels = name.split('.');
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return bad === '' ? 'has an empty label (two dots, or a dot at an end)'
      : bad.length > 63 ? 'has a label longer than 63 characters'
        : 'is not an RFC 1123 host name (letters, digits, inner dashes, dots between labels)';
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return 'ends in an all-numeric label, so it reads as an IP address';
  const lower = name.toLowerCase();
  if (RESERVED_HOSTNAMES.includes(lower) || lower.endsWith('.localhost')) return 'is reserved for the loopback address';
  return undefined;
}

/** True when `name` is a usable host name: see {@link hostnameProblem}. */
export function isHostname(name: string): boolean {
  return hostnameProblem(name) === undefined;
}

/**
 * Why `name` cannot be the VM's hostname, or `undefined`: the rules of {@link hostnameProblem},
 * and the whole name at most {@link VM_HOSTNAME_MAX} characters (its first label, the short
 * hostname in /etc/hostname, is then at most 63 by the label rule).
 */
export function vmHostnameProblem(name: string): string | undefined {
  const problem = hostnameProblem(name);
  if (problem !== undefined) return problem;
  return name.length > VM_HOSTNAME_MAX ? `is longer than ${VM_HOSTNAME_MAX} characters, the longest hostname Linux accepts` : undefined;
}

/** True when `name` can be the VM's hostname: see {@link vmHostnameProblem}. */
export function isVmHostname(name: string): boolean {
  return vmHostnameProblem(name) === undefined;
}

/** The four octets of a dotted-quad IPv4 address without leading zeros, or `undefined`. */
export function ipv4Octets(value: string): [number, number, number, number] | undefined {
  const parts = value.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^(?:0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.map(Number) as [number, number, number, number];
}

/** True when `value` is written as a dotted-quad IPv4 address (0–255 each, no leading zeros). */
export function isIPv4(value: string): boolean {
  return ipv4Octets(value) !== undefined;
}

/**
 * Why `value` cannot be a VM's address on a lab network, or `undefined`: it must be a dotted quad
 * without leading zeros, and not the network (.0) or broadcast (.255) address of its /24 (labs use
 * /24 host-only networks), nor in 0.0.0.0/8, loopback 127.0.0.0/8, link-local 169.254.0.0/16, or
 * multicast and reserved 224.0.0.0 and above.
 */
export function ipv4Problem(value: string): string | undefined {
  const octets = ipv4Octets(value);
  if (octets === undefined) return 'is not a dotted IPv4 address (four numbers 0-255, no leading zeros)';
  const [a, b, , d] = octets;
  if (a === 0) return 'is in 0.0.0.0/8, which names "this host", not a VM';
  if (a === 127) return 'is a loopback address';
  if (a === 169 && b === 254) return 'is a link-local address';
  if (a >= 224) return 'is a multicast or reserved address';
  if (d === 0) return 'is the network address of its /24';
  if (d === 255) return 'is the broadcast address of its /24';
  return undefined;
}

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';

/** {@link ipv4Problem} as one JSON Schema pattern. */
export const HOST_IPV4_PATTERN = `^(?!127\\.)(?!169\\.254\\.)(?:22[0-3]|2[01][0-9]|1[0-9]{2}|[1-9][0-9]?)\\.${OCTET}\\.${OCTET}\\.(?:25[0-4]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]?)$`;

/** True when `value` can be a VM's address: see {@link ipv4Problem}. */
export function isHostIPv4(value: string): boolean {
  return ipv4Problem(value) === undefined;
}

/** True when `ip` lies in 192.168.56.0/21, the range VirtualBox ≥ 6.1.28 allows for host-only networks. */
export function inVirtualBoxHostOnlyRange(ip: string): boolean {
  const octets = ipv4Octets(ip);
  return octets !== undefined && octets[0] === 192 && octets[1] === 168 && octets[2] >= 56 && octets[2] <= 63;
}

/** The VirtualBox host-only range, for messages. */
export const VIRTUALBOX_HOST_ONLY_RANGE = '192.168.56.0/21';

/** {@link inVirtualBoxHostOnlyRange} as a JSON Schema pattern (for an address already known to be IPv4). */
export const VIRTUALBOX_HOST_ONLY_PATTERN = '^192\\.168\\.(?:5[6-9]|6[0-3])\\.';

/**
 * A TCP port 1–65535 from a JSON number or an environment variable's string, or `undefined`.
 * Strings must be plain decimal digits without sign, spaces or leading zeros (`"80"`, not `" 80"`,
 * `"080"`, `"8e1"` or `"0x50"`).
 */
export function parsePort(value: unknown): number | undefined {
  const port = typeof value === 'string' ? (/^[1-9][0-9]{0,4}$/.test(value) ? Number(value) : undefined) : value;
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
}

/** True when `value` is a TCP port 1–65535 given as a number (the image spec takes JSON numbers only). */
export function isPort(value: unknown): value is number {
  return typeof value === 'number' && parsePort(value) !== undefined;
}

/**
 * A lab name, which becomes the id of the lab's hosts-file blocks (`# BEGIN boxwright <id>`):
 * 1–63 letters, digits, dots, underscores and dashes, starting with a letter or digit.
 */
export const LAB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** True when `value` is a usable lab name: see {@link LAB_NAME}. */
export function isLabName(value: string): boolean {
  return LAB_NAME.test(value);
}
