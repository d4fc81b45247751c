import type { BaseName, ImageSpec } from '../image/types.js';
import { familyOf } from '../plan/bases.js';
import { GUEST_PATHS } from '../plan/layout.js';
import type { RenderContext } from './mustache.js';

/** Where the build uploads `files/` and the app bundle inside the guest ({@link GUEST_PATHS}). */
export const STAGING_DIR = GUEST_PATHS.staging;
/** Where the app bundle is unpacked inside the guest ({@link GUEST_PATHS}). */
export const APP_DIR = GUEST_PATHS.app;

/** What decides the render context besides the spec. */
export interface ContextOptions {
  /** OS family of the base. */
  os: BaseName;
  /** Where the scripts run. */
  kind: 'vm' | 'chroot';
}

/**
 * The values provisioner templates may use (documented in lib/render/CONTEXT.md).
 * On Debian the MySQL role is served by MariaDB: Debian ships no mysql-server.
 */
export function renderContext(spec: ImageSpec, { os, kind }: ContextOptions): RenderContext {
  const isDebian = familyOf(os) === 'debian';
  const isMariadb = spec.database.engine === 'mariadb' || isDebian;
  return {
    name: spec.name,
    version: spec.version,
    os,
    isDebian,
    isUbuntu: !isDebian,
    buildKind: kind,
    isChroot: kind === 'chroot',
    isVm: kind === 'vm',
    hostname: spec.hostname,
    serverNames: [spec.hostname, ...spec.aliases].join(' '),
    ip: spec.network.ip,
    nginxPort: spec.nginx.port,
    clientMaxBodySize: spec.nginx.clientMaxBodySize,
    proxyTimeout: spec.nginx.proxyTimeout,
    appPort: spec.app.port,
    // The second app instance (zero-downtime restarts: nginx passes requests to the other one).
    appPortStandby: spec.app.port + 1,
    appUser: spec.app.user,
    appEntry: spec.app.entry,
    appDir: APP_DIR,
    dbEngine: spec.database.engine,
    dbPackage: isMariadb ? 'mariadb-server' : 'mysql-server',
    dbService: isMariadb ? 'mariadb' : 'mysql',
    isMariadb,
    isMysql: !isMariadb,
    dbName: spec.database.name,
    dbUser: spec.database.user,
    firewallEnabled: spec.firewall.enabled,
    stagingDir: STAGING_DIR,
    packageListPath: GUEST_PATHS.packageList,
  };
}
