import test from 'ava';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readNtpTime, sntpReply, startSntpServer, writeNtpTime } from '../../lib/verify/sntp.js';

function clientRequest(transmitMs: number): Buffer {
  const request = Buffer.alloc(48);
  request[0] = (0 << 6) | (4 << 3) | 3; // LI 0, version 4, mode 3 (client)
  request[2] = 6; // poll 2^6 s
  writeNtpTime(request, 40, transmitMs);
  return request;
}

test('NTP timestamps round-trip through Unix milliseconds', (t) => {
  const buffer = Buffer.alloc(8);
  writeNtpTime(buffer, 0, 1_764_633_600_123);
  t.is(buffer.readUInt32BE(0), 1_764_633_600 + 2_208_988_800);
  t.is(readNtpTime(buffer, 0), 1_764_633_600_123);
});

test('a client request gets a synchronised stratum-1 server reply that echoes its transmit time', (t) => {
  const now = 1_764_633_600_500;
  const reply = sntpReply(clientRequest(now - 20), now)!;
  t.is(reply.length, 48);
  t.is(reply[0]! >> 6, 0, 'leap indicator: synchronised');
  t.is((reply[0]! >> 3) & 7, 4, 'the client version');
  t.is(reply[0]! & 7, 4, 'mode 4: server');
  t.is(reply[1], 1, 'stratum 1');
  t.is(reply[2], 6, 'the client poll');
  t.is(reply.toString('ascii', 12, 16), 'LOCL');
  t.is(readNtpTime(reply, 24), now - 20, 'originate = the client transmit time');
  t.is(readNtpTime(reply, 32), now);
  t.is(readNtpTime(reply, 40), now);
});

test('anything but a whole client request gets no reply', (t) => {
  t.is(sntpReply(Buffer.alloc(20), Date.now()), undefined);
  const server = clientRequest(1);
  server[0] = (4 << 3) | 4;
  t.is(sntpReply(server, Date.now()), undefined);
});

test('the server answers a request on loopback with the current time', async (t) => {
  const server = await startSntpServer(0);
  const client = dgram.createSocket('udp4');
  t.teardown(() => { server.close(); client.close(); });
  const sent = Date.now();
  client.send(clientRequest(sent), server.address().port, '127.0.0.1');
  const [message] = (await once(client, 'message')) as [Buffer];
  t.is(readNtpTime(message, 24), sent);
  const transmit = readNtpTime(message, 40);
  t.true(Math.abs(transmit - Date.now()) < 5000, `server time ${transmit} is now`);
});
