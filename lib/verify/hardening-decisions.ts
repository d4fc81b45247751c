/**
 * What Boxwright decided about each Lynis suggestion: adopted (and which in-image checks keep it),
 * partly, not adopted, or not about the box at all, and why. One list, read by `npm run audit` (each
 * suggestion it prints carries its decision), by `npm run bench` (the report lists them), by the
 * stack e2e test (every adopted item's checks pass in a booted box), and rendered into the README's
 * Security section by `npm run schema`.
 */
import { markdownCell, replaceBetweenMarkers } from '../util/markdown.js';
import type { LynisFinding } from './lynis.js';

/** What was decided about a suggestion. */
export type HardeningVerdict =
  /** In the box; Lynis should no longer make the suggestion, and `checks` keep it in CI. */
  | 'adopted'
  /** In the box as far as a lab and release box allows; Lynis may still make the suggestion. */
  | 'partly'
  /** Left out, for the reason given. */
  | 'not adopted'
  /** About the audit's harness or Lynis itself, nothing a box could change. */
  | 'not the box';

/** One decision about one or more Lynis suggestions. */
export interface HardeningDecision {
  /** Lynis test ids the decision answers, e.g. `SSH-7408`. */
  ids: readonly string[];
  /** What Lynis suggests, in a few words (the README table's first column). */
  topic: string;
  /**
   * Narrows the decision to findings whose `text details` match (one Lynis test can make several
   * suggestions, e.g. one per sshd option); without it every finding of the ids matches.
   */
  finding?: RegExp;
  verdict: HardeningVerdict;
  /** What was done, or why not, in one line. */
  why: string;
  /**
   * Names of in-image checks (`provisioners/checks/verify.sh`) that keep an adopted or partly
   * adopted item; each must match at least one passing check of a booted box.
   */
  checks?: readonly RegExp[];
}

/** Every decision, in the order of the README table. The first that matches a finding answers it. */
export const HARDENING_DECISIONS: readonly HardeningDecision[] = [
  {
    ids: ['KRNL-6000'], topic: 'sysctl values', verdict: 'partly',
    why: '`/etc/sysctl.d/60-boxwright-hardening.conf`: no redirects or source routes, rp_filter, martians logged, no forwarding, kptr/dmesg restricted, no SysRq, Yama ptrace 1, no unprivileged BPF, hardened BPF JIT; protected links, FIFOs and files in `/etc/sysctl.d/protect-links.conf` (it replaces Debian 12\'s vendor file of that name, which would override them). Not `kernel.modules_disabled=1`: nftables and others load modules on demand, so Lynis keeps making this suggestion',
    // Named keys: the suite makes one check per key of the drop-in, so a key dropped from it would lose its check.
    checks: [/^sysctl kernel\.kptr_restrict = 2$/, /^sysctl kernel\.sysrq = 0$/, /^sysctl kernel\.yama\.ptrace_scope = 1$/, /^sysctl kernel\.unprivileged_bpf_disabled = 1$/,
      /^sysctl net\.core\.bpf_jit_harden = 2$/, /^sysctl net\.ipv4\.conf\.all\.accept_redirects = 0$/, /^sysctl net\.ipv4\.conf\.all\.rp_filter = 1$/,
      /^probe \(Lynis KRNL-6000\): fs\.protected_fifos is 2/, /^the sysctl drop-in is installed/],
  },
  {
    ids: ['USB-1000', 'STRG-1846', 'NETW-3200'], topic: 'USB/FireWire storage; dccp, sctp, rds, tipc', verdict: 'adopted',
    why: '`/etc/modprobe.d/boxwright-hardening.conf` (`install X /bin/true`, blacklist)',
    checks: [/^kernel module usb-storage is kept from loading$/, /^kernel module firewire-core is kept from loading$/, /^kernel module dccp is kept from loading$/, /^kernel module tipc is kept from loading$/],
  },
  {
    ids: ['USB-3000'], topic: 'USBGuard (not made by Lynis 3.0.8)', verdict: 'not adopted',
    why: 'its daemon was not active after boot in the boot check of built boxes (debian-12 and debian-13); USB storage is already kept from loading',
  },
  {
    ids: ['KRNL-5820'], topic: 'core dumps', verdict: 'adopted',
    why: 'limits.d hard/soft core 0, `ulimit -c 0` for login shells, `DefaultLimitCORE=0` for services, `fs.suid_dumpable=0`',
    checks: [/^no core dumps for login sessions/, /^no core dumps for services \(the manager's DefaultLimitCORE\)$/, /^a login shell has no core dumps/, /^sysctl fs\.suid_dumpable = 0$/],
  },
  {
    ids: ['AUTH-9230', 'AUTH-9286'], topic: 'hashing rounds, password age', verdict: 'adopted',
    why: 'login.defs: SHA_CRYPT rounds 5000–50000, PASS_MIN/MAX_DAYS 1/365 (for accounts made later; vagrant logs in by key), HOME_MODE 0750',
    checks: [/^login\.defs SHA_CRYPT_MIN_ROUNDS is 5000$/, /^login\.defs PASS_MAX_DAYS is 365$/, /^login\.defs PASS_MIN_DAYS is 1$/],
  },
  {
    ids: ['AUTH-9328'], topic: 'umask 027', verdict: 'not adopted',
    why: 'files Vagrant and the boot check write over SSH with sudo (the networkd file of the private IP) must stay readable by the daemons',
  },
  {
    ids: ['AUTH-9262'], topic: 'password strength', verdict: 'adopted',
    why: '`libpam-passwdqc`', checks: [/^PAM checks password strength/],
  },
  {
    ids: ['DEB-0280'], topic: 'libpam-tmpdir', verdict: 'adopted',
    why: 'per-session `$TMPDIR`', checks: [/^PAM gives each session its own temp folder/],
  },
  {
    ids: ['HOME-9304'], topic: 'home permissions', verdict: 'adopted',
    why: '`/home/*` 0750', checks: [/^home folders are 0750$/, /^login\.defs HOME_MODE is 0750$/],
  },
  {
    ids: ['FILE-7524'], topic: 'file permissions', verdict: 'adopted',
    why: '`/etc/ssh/sshd_config` 0600, cron folders 0700', checks: [/^sshd_config is 0600 root:root$/, /^cron folders are root-only/],
  },
  {
    ids: ['FILE-6310'], topic: 'separate /tmp', finding: /\bfull \/tmp file system\b/, verdict: 'adopted',
    why: 'a tmpfs: systemd\'s `tmp.mount` (nosuid, nodev; exec kept: Vagrant runs uploaded scripts from /tmp)',
    checks: [/^tmp\.mount is active$/, /^\/tmp is its own tmpfs, nosuid and nodev$/],
  },
  {
    ids: ['FILE-6310'], topic: 'separate /var, /home', finding: /\bfull \/(var|home) file system\b/, verdict: 'not adopted',
    why: 'one growable disk: fixed partitions waste space, break resizing the box\'s disk, and a lab box has no untrusted writers to fill them',
  },
  {
    ids: ['BANN-7126', 'BANN-7130'], topic: 'legal banner', verdict: 'adopted',
    why: '`/etc/issue`, `/etc/issue.net` (not an sshd `Banner`: it would print before every Vagrant command)',
    checks: [/^\/etc\/issue carries the legal banner$/, /^\/etc\/issue\.net carries the legal banner$/],
  },
  {
    ids: ['SSH-7408'], topic: 'sshd Compression, LogLevel, MaxAuthTries, TCPKeepAlive, AllowAgentForwarding',
    finding: /\b(Compression|LogLevel|MaxAuthTries|TCPKeepAlive|AllowAgentForwarding) \(set /, verdict: 'adopted',
    why: '`sshd_config.d/01-boxwright-hardening.conf`: no compression, VERBOSE, 3 tries (Vagrant offers one key), no TCP keepalive (ClientAlive stays), no agent forwarding (set `config.ssh.forward_agent` and re-allow it if you need it)',
    checks: [/^sshd: compression no$/, /^sshd: loglevel VERBOSE$/, /^sshd: maxauthtries 3$/, /^sshd: tcpkeepalive no$/, /^sshd: allowagentforwarding no$/],
  },
  {
    // Lynis reports the value it found in upper case: only `local` is the decision (a box back at `yes` is not).
    ids: ['SSH-7408'], topic: 'sshd AllowTcpForwarding', finding: /\bAllowTcpForwarding \(set LOCAL to NO\)/, verdict: 'partly',
    why: '`local`: vagrant-libvirt forwards ports with `ssh -L`, so local forwarding stays; remote (`-R`) forwarding is off (the lab e2e test forwards a port with `vagrant ssh -- -L` and is refused `-R`)',
    checks: [/^sshd: allowtcpforwarding local$/],
  },
  {
    ids: ['SSH-7408'], topic: 'sshd MaxSessions 2, Port', finding: /\b(MaxSessions \(set 10 to 2\)|Port \(set 22 to )/, verdict: 'not adopted',
    why: 'Vagrant opens several sessions at once (MaxSessions is 10) and connects to port 22',
  },
  {
    ids: ['ACCT-9628'], topic: 'auditd', verdict: 'not adopted',
    why: 'measured here: its start (before `sysinit.target`, loading rules) took 90 s of a TCG boot at load 12, and ssh and utmp wait for it: far over the 10 % boot budget',
  },
  {
    ids: ['ACCT-9626'], topic: 'sysstat', verdict: 'adopted',
    why: 'activity every 10 min by its own timers', checks: [/^sysstat\.service is active$/, /^sysstat collects activity$/],
  },
  {
    ids: ['PKGS-7370', 'PKGS-7394'], topic: 'debsums, apt-show-versions', verdict: 'adopted',
    why: 'small Perl tools (Perl is there for MariaDB); the box runs no cron, so debsums\' weekly check runs only by hand (`debsums -s`)', checks: [/^debsums is installed$/, /^apt-show-versions is installed$/],
  },
  {
    ids: ['ACCT-9622'], topic: 'process accounting', verdict: 'not adopted',
    why: '`acct` rotates its log from cron, which the box does not run: the log would grow without end',
  },
  {
    ids: ['DEB-0810'], topic: 'apt-listbugs', verdict: 'not adopted',
    why: 'Ruby (~30 MB) and a query to bugs.debian.org before every install, which fails offline',
  },
  {
    ids: ['DEB-0811'], topic: 'apt-listchanges', verdict: 'not adopted',
    why: 'upgrades are unattended and there is no mail transport to send the changes to',
  },
  {
    ids: ['DEB-0831'], topic: 'needrestart', verdict: 'not adopted',
    why: 'pulls binutils (~25 MB); an upgraded package restarts its own service, and a lab VM is rebooted or rebuilt often',
  },
  {
    ids: ['DEB-0880'], topic: 'fail2ban', verdict: 'not adopted',
    why: 'SSH takes keys only (nothing to guess); a ban of the host\'s address locks Vagrant out; a Python daemon costs boot time under emulation',
  },
  {
    ids: ['FINT-4350'], topic: 'file integrity (AIDE)', verdict: 'not adopted',
    why: 'its database took 53 s of CPU natively (10× more under TCG, a VM build would grow by far over 10 %), and every VM\'s first boot changes the files it watches (host keys, machine-id, secrets)',
  },
  {
    ids: ['HRDN-7230'], topic: 'malware scanner', verdict: 'not adopted',
    why: 'a scanner needs scheduled runs and fresh signatures (ClamAV: ~300 MB and network); nothing untrusted is uploaded to this box',
  },
  {
    ids: ['HTTP-6710'], topic: 'HTTPS', finding: /^Add HTTPS to nginx virtual hosts/, verdict: 'not adopted',
    why: 'the lab serves `http://www.foobar.com/` on a host-only network: a self-signed certificate warns in every browser and curl, a real one needs a name the lab does not own; TLS belongs on the load balancer of the `ha` topology',
  },
  {
    ids: ['LOGG-2154'], topic: 'remote logging', verdict: 'not adopted',
    why: 'a lab has no log host; journald keeps the logs in the VM',
  },
  {
    ids: ['LOGG-2190'], topic: 'deleted files in use', verdict: 'not adopted',
    why: 'run-time state (temporary files services keep open), nothing a build can change',
  },
  {
    ids: ['BOOT-5264'], topic: 'harden system services', verdict: 'partly',
    why: 'the app\'s unit is hardened (exposure ≤ 2.5, checked); Lynis makes this suggestion whatever the scores',
    checks: [/^systemd-analyze security/],
  },
  {
    ids: ['FILE-6344'], topic: '/proc hidepid (not made by Lynis 3.0.8)', verdict: 'not adopted',
    why: 'hides processes from monitoring and support tools; fstab is written by the disk step, not a provisioner',
  },
  {
    ids: ['SHLL-6220'], topic: 'shell idle timeout (not made by Lynis 3.0.8)', verdict: 'not adopted',
    why: 'it would close idle `vagrant ssh` sessions, which is what a lab is used for',
  },
  {
    ids: ['AUTH-9284'], topic: 'locked accounts', verdict: 'not adopted',
    why: 'they are the service accounts and `vagrant` (password locked, key login only): removing them breaks the services and Vagrant',
  },
  {
    ids: ['MALW-3280', 'TOOL-5002', 'TOOL-5190', 'MACF-6290'], topic: 'antivirus, automation tools, IDS, AppArmor profiles (of these Lynis 3.0.8 makes only TOOL-5002)', verdict: 'not adopted',
    why: 'no untrusted files (antivirus); the box is made by Boxwright, not configuration management; an IDS/AppArmor profiles for nginx/MariaDB/node are work of their own',
  },
  {
    ids: ['LYNIS'], topic: 'Lynis is older than four months', finding: /more than 4 months old|Version of Lynis outdated/, verdict: 'not the box',
    why: 'the audit runs the host\'s Debian `lynis` (bookworm\'s 3.0.8), pinned like every other input',
  },
  {
    ids: ['BOOT-5180'], topic: 'runlevel', verdict: 'not the box',
    why: 'Lynis reads a SysV runlevel, which a systemd boot does not report (its log says `found runlevel` with nothing after it)',
  },
];

/** The decision that answers a Lynis finding, or undefined when none was recorded. */
export function decisionFor(finding: Pick<LynisFinding, 'id' | 'text' | 'details'>): HardeningDecision | undefined {
  const subject = `${finding.text} ${finding.details}`;
  return HARDENING_DECISIONS.find((d) => d.ids.includes(finding.id) && (d.finding === undefined || d.finding.test(subject)));
}

/** A finding with the decision that answers it. */
export interface DecidedFinding extends LynisFinding {
  /** `undecided` when no decision was recorded for it. */
  verdict: HardeningVerdict | 'undecided';
  why: string;
}

/** Each finding with its decision. */
export function decide(findings: readonly LynisFinding[]): DecidedFinding[] {
  return findings.map((f) => {
    const d = decisionFor(f);
    return { ...f, verdict: d?.verdict ?? 'undecided', why: d?.why ?? 'no decision recorded in lib/verify/hardening-decisions.ts' };
  });
}

/**
 * What a list of suggestions says is wrong with the decisions: a suggestion nobody decided about,
 * or one for an item recorded as adopted (the box no longer has it). Empty when all is as recorded.
 */
export function decisionProblems(suggestions: readonly LynisFinding[]): string[] {
  return decide(suggestions).flatMap((f) => {
    const what = `${f.id} ${f.text}${f.details ? ` (${f.details})` : ''}`;
    if (f.verdict === 'undecided') return [`${what}: no decision recorded`];
    if (f.verdict === 'adopted') return [`${what}: recorded as adopted, yet Lynis still suggests it`];
    return [];
  });
}

/** Each check pattern of an adopted or partly adopted decision that no line of `passed` matches. */
export function uncheckedDecisions(passed: readonly string[]): string[] {
  return HARDENING_DECISIONS.flatMap((d) => (d.checks ?? [])
    .filter((re) => !passed.some((name) => re.test(name)))
    .map((re) => `${d.ids.join(', ')} ${d.topic}: no passing check matches ${re}`));
}

/** Markers around the generated table in README.md (section "Independent audit (Lynis)"). */
export const DECISIONS_BEGIN = '<!-- hardening-decisions:begin (generated by `npm run schema` from lib/verify/hardening-decisions.ts; do not edit) -->';
export const DECISIONS_END = '<!-- hardening-decisions:end -->';

/** The README's decision table, between its markers. */
export function decisionTable(): string {
  const rows = HARDENING_DECISIONS.map((d) => `| ${d.ids.join(', ')} ${markdownCell(d.topic)} | ${d.verdict} | ${markdownCell(d.why)} |`);
  return `${DECISIONS_BEGIN}\n| Lynis suggestion | | What, or why not |\n|---|---|---|\n${rows.join('\n')}\n${DECISIONS_END}`;
}

/** `readme` with its decision table replaced by the current one; throws when the markers are missing. */
export function withDecisionTable(readme: string): string {
  return replaceBetweenMarkers(readme, DECISIONS_BEGIN, DECISIONS_END, decisionTable(), `README.md has no ${DECISIONS_BEGIN} … ${DECISIONS_END} markers`);
}
