import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { hasCommand } from '../lab/helpers.js';
import { startLoad } from './load.js';

const withWrk = hasCommand('wrk') ? test : test.skip;

withWrk('the load counts 200s by the header, and every non-200 and dropped connection as failed', async (t) => {
  let n = 0;
  const server = createServer((req, res) => {
    n += 1;
    // The 2nd request of every 5 is refused with 503, the 3rd dropped (a slow host still sends 5).
    if (n % 5 === 3) { req.socket.destroy(); return; }
    if (n % 5 === 2) { res.writeHead(503); res.end('no'); return; }
    res.writeHead(200, { 'X-Served-By': n % 2 ? 'app1' : 'app2', 'Content-Length': '2' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  const { port } = server.address() as AddressInfo;
  const load = startLoad(['env'], `http://127.0.0.1:${port}/`, { host: 'www.foobar.com', maxSeconds: 4, countHeader: 'X-Served-By', connections: 2, pauseMs: 10 });
  const result = await load.done;
  t.true(n >= 5 && result.ok >= 2, result.output);
  t.is(result.ok, (result.byHeader.app1 ?? 0) + (result.byHeader.app2 ?? 0));
  t.true((result.byHeader.app1 ?? 0) > 0 && (result.byHeader.app2 ?? 0) > 0);
  t.true(result.byStatus['503']! > 0);
  t.true(result.errors.read > 0, 'dropped connections are read errors');
  t.is(result.failed, result.responses - result.ok + result.errors.read + result.errors.connect + result.errors.write + result.errors.timeout);
  t.true(result.failed >= result.byStatus['503']! + result.errors.read);
});

withWrk('a load stopped early reports what it saw', async (t) => {
  const server = createServer((_req, res) => { res.writeHead(200); res.end('ok'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  const { port } = server.address() as AddressInfo;
  const load = startLoad(['env'], `http://127.0.0.1:${port}/`, { host: 'x', maxSeconds: 60, countHeader: 'X-None' });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const result = await load.stop();
  t.true(result.seconds < 10);
  t.true(result.ok > 0);
  t.is(result.failed, 0);
  t.is(result.byHeader['-'], result.ok);
});
