/**
 * A minimal SNTP server (RFC 4330) that answers with this host's clock, for a VM booted in a
 * private network namespace that has no route to any time server. Run inside the namespace on
 * 127.0.0.1:123, it is what the guest reaches as 10.0.2.2:123 through QEMU's user networking.
 *
 * Run as a program: `ip netns exec NS node --import=tsx lib/verify/sntp.ts [port]`; it prints
 * `listening` once bound and serves until it is killed.
 */
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Seconds from the NTP era (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2_208_988_800;

/** Writes `ms` (Unix epoch milliseconds) as a 64-bit NTP timestamp at `offset`. */
export function writeNtpTime(buffer: Buffer, offset: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  buffer.writeUInt32BE((seconds + NTP_UNIX_OFFSET) >>> 0, offset);
  buffer.writeUInt32BE(fraction >>> 0, offset + 4);
}

/** Reads a 64-bit NTP timestamp at `offset` as Unix epoch milliseconds. */
export function readNtpTime(buffer: Buffer, offset: number): number {
  const seconds = buffer.readUInt32BE(offset) - NTP_UNIX_OFFSET;
  const fraction = buffer.readUInt32BE(offset + 4) / 2 ** 32;
  return Math.round((seconds + fraction) * 1000);
}

/**
 * The server's answer to a client request (mode 3), or undefined for anything else: leap
 * indicator 0 (synchronised), the client's version, mode 4, stratum 1 with reference `LOCL`,
 * the client's transmit time as originate time, and `now` as reference, receive and transmit time.
 */
export function sntpReply(request: Buffer, now: number): Buffer | undefined {
  if (request.length < 48 || (request[0]! & 0x07) !== 3) return undefined;
  const version = (request[0]! >> 3) & 0x07;
  const reply = Buffer.alloc(48);
  reply[0] = (0 << 6) | (version << 3) | 4;
  reply[1] = 1;
  reply[2] = request[2]!;
  reply[3] = 0xec; // precision 2^-20 s
  reply.writeUInt32BE(0, 4); // root delay
  reply.writeUInt32BE(0x10, 8); // root dispersion (~0.25 ms)
  reply.write('LOCL', 12, 'ascii');
  writeNtpTime(reply, 16, now);
  request.copy(reply, 24, 40, 48);
  writeNtpTime(reply, 32, now);
  writeNtpTime(reply, 40, now);
  return reply;
}

/** Starts the server on 127.0.0.1:`port`; resolves once it is bound. */
export function startSntpServer(port = 123): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, peer) => {
    const reply = sntpReply(message, Date.now());
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  startSntpServer(Number(process.argv[2] ?? 123)).then(
    () => process.stdout.write('listening\n'),
    (error: unknown) => {
      process.stderr.write(`sntp: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
