// foobar-web: a visit counter in MySQL/MariaDB, served on 127.0.0.1 behind nginx.
//
// Configuration (set by the systemd unit; no secret in the environment):
//   HOST (default 127.0.0.1), PORT (default 3000)
//   DB_SOCKET (unix socket; preferred) or DB_HOST + DB_PORT, DB_NAME, DB_USER
//   $CREDENTIALS_DIRECTORY/db-password  the password (systemd LoadCredential=)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

const env = process.env;
const HOST = env.HOST || '127.0.0.1';
const PORT = Number.parseInt(env.PORT || '3000', 10);
const SHUTDOWN_GRACE_MS = 10_000;

function log(message) {
  process.stdout.write(`${message}\n`);
}

function readPassword() {
  const dir = env.CREDENTIALS_DIRECTORY;
  if (!dir) {
    throw new Error('CREDENTIALS_DIRECTORY is not set: start the app with LoadCredential=db-password:...');
  }
  return readFileSync(join(dir, 'db-password'), 'utf8').trim();
}

const pool = mysql.createPool({
  ...(env.DB_SOCKET
    ? { socketPath: env.DB_SOCKET }
    : { host: env.DB_HOST || '127.0.0.1', port: Number.parseInt(env.DB_PORT || '3306', 10) }),
  database: env.DB_NAME || 'app',
  user: env.DB_USER || 'app',
  password: readPassword(),
  connectionLimit: 5,
  connectTimeout: 5_000,
  enableKeepAlive: true,
});

let schemaReady;
function ensureSchema() {
  schemaReady ??= pool
    .query(
      `CREATE TABLE IF NOT EXISTS visits (
         id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
         hits BIGINT UNSIGNED NOT NULL
       ) ENGINE=InnoDB`,
    )
    .catch((error) => {
      schemaReady = undefined; // try again on the next request
      throw error;
    });
  return schemaReady;
}

/** Counts one visit and returns the new total, in one statement (LAST_INSERT_ID(expr) trick). */
async function countVisit() {
  await ensureSchema();
  const [result] = await pool.query(
    'INSERT INTO visits (id, hits) VALUES (1, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)',
  );
  return Number(result.insertId);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

function send(res, status, type, body, method) {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...(stopping ? { Connection: 'close' } : {}),
  });
  res.end(method === 'HEAD' ? undefined : body);
}

async function handle(req, res) {
  const path = new URL(req.url || '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', req.method);
    return;
  }
  if (path === '/healthz') {
    try {
      await pool.query('SELECT 1');
      send(res, 200, 'text/plain; charset=utf-8', 'ok\n', req.method);
    } catch (error) {
      log(`healthz: database unavailable: ${error.code || error.message}`);
      send(res, 503, 'text/plain; charset=utf-8', 'database unavailable\n', req.method);
    }
    return;
  }
  if (path === '/') {
    try {
      const visits = await countVisit();
      const host = req.headers.host || 'foobar';
      send(res, 200, 'text/html; charset=utf-8', page(`Welcome to ${host}`, `<p>Visits: <strong id="visits">${visits}</strong></p>`), req.method);
    } catch (error) {
      log(`index: database error: ${error.code || error.message}`);
      send(res, 503, 'text/html; charset=utf-8', page('Service unavailable', '<p>The database is not reachable.</p>'), req.method);
    }
    return;
  }
  send(res, 404, 'text/html; charset=utf-8', page('Not found', '<p>No such page.</p>'), req.method);
}

let inFlight = 0;
const server = createServer((req, res) => {
  inFlight += 1;
  res.on('close', () => {
    inFlight -= 1;
  });
  handle(req, res).catch((error) => {
    log(`unexpected error: ${error.stack || error}`);
    if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n', req.method);
    else res.destroy();
  });
});
// Longer than nginx's upstream keepalive_timeout, so nginx never reuses a socket we just closed.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping (${inFlight} request(s) in flight)`);
  const force = setTimeout(() => {
    log('shutdown grace period over, exiting');
    process.exit(1);
  }, SHUTDOWN_GRACE_MS);
  force.unref();
  // Stop accepting; idle keep-alive sockets are closed now, busy ones after their response.
  server.close(async () => {
    try {
      await pool.end();
    } catch (error) {
      log(`closing the database pool failed: ${error.message}`);
    }
    log('stopped');
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

server.listen(PORT, HOST, () => {
  log(`listening on http://${HOST}:${PORT}`);
  ensureSchema().catch((error) => log(`schema not ready yet: ${error.code || error.message}`));
});
