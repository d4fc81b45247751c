import test from 'ava';
import { appMachines, loadBalancers } from '../../../lib/lab/deploy/machines.js';
import { isBoxwrightError } from '../../../lib/errors.js';

const host = (name: string) => ({ name, hostName: '192.168.121.2', port: 22, user: 'vagrant' });

test('the app machines of a single lab are its default machine', (t) => {
  t.deepEqual(appMachines([host('default')]), ['default']);
});

test('the app machines of an ha lab are app1..appN by number, without load balancers and databases', (t) => {
  const hosts = ['lb1', 'app10', 'db1', 'app2', 'lb2', 'app1', 'db2', 'application'].map(host);
  t.deepEqual(appMachines(hosts), ['app1', 'app2', 'app10']);
});

test('a lab without an app machine is an E_LAB error that says to start it', (t) => {
  const error = t.throws(() => appMachines([host('lb1'), host('db1')]));
  t.true(isBoxwrightError(error, 'E_LAB'));
  t.regex(error!.message, /running: lb1, db1.*vagrant up/);
});

test('the load balancers a deploy drains on are the running lb machines by number, none in a single lab', (t) => {
  t.deepEqual(loadBalancers(['app1', 'lb2', 'db1', 'lb1', 'lbx'].map(host)), ['lb1', 'lb2']);
  t.deepEqual(loadBalancers([host('default')]), []);
});
