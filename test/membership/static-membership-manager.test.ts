// The STATIC worker list: Alluxio's one host per line, and ours with ports, an IPv6 address in
// brackets (read with the protocol module's parseHostPort, as every other host:port) and socket=.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/common/errors.js';
import { uuid3Identity } from '../../src/hashring/identity.js';
import { parseWorkerList, StaticMembershipManager, type DefaultPorts } from '../../src/membership/static-membership-manager.js';

const DEFAULTS: DefaultPorts = { HttpServerPort: 28080, S3Port: 29998, WebPort: 30000, RpcPort: 29999, DataPort: 29997 };
const parse = (text: string) => parseWorkerList(text, DEFAULTS, 'workers');

describe('static worker list', () => {
  test('host alone: every port the default, identity uuid3(host)', () => {
    const [w] = parse('worker-a.example  # a comment\n\n');
    assert.equal(w!.address.Host, 'worker-a.example');
    assert.equal(w!.address.HttpServerPort, 28080);
    assert.equal(w!.address.S3Port, 29998);
    assert.equal(w!.address.DomainSocketPath, '');
    assert.deepEqual(w!.identity, uuid3Identity('worker-a.example'));
  });

  test('host:port with s3=, web=, rpc=, data= and socket=', () => {
    const [w] = parse('127.0.0.1:28180 s3=30098 web=30100 rpc=30099 data=30097 socket=/run/alluxio/w1.sock');
    assert.deepEqual(
      { ...w!.address },
      { Host: '127.0.0.1', ContainerHost: '', RpcPort: 30099, DataPort: 30097, SecureRpcPort: 0, NettyDataPort: 30097, WebPort: 30100, DomainSocketPath: '/run/alluxio/w1.sock', HttpServerPort: 28180, S3Port: 30098 },
    );
    assert.deepEqual(w!.identity, uuid3Identity('127.0.0.1:28180'));
  });

  test('IPv6 in brackets, with and without a port; the host is unbracketed', async () => {
    const [a, b, c] = parse('[::1]:28180\n[fd00::12]\n[::ffff:10.0.0.1]:28280 s3=1234');
    assert.deepEqual([a!.address.Host, a!.address.HttpServerPort], ['::1', 28180]);
    assert.deepEqual([b!.address.Host, b!.address.HttpServerPort], ['fd00::12', 28080]);
    assert.deepEqual([c!.address.Host, c!.address.HttpServerPort, c!.address.S3Port], ['::ffff:10.0.0.1', 28280, 1234]);
    assert.deepEqual(a!.identity, uuid3Identity('[::1]:28180'));
    const m = StaticMembershipManager.fromText('[::1]:28180\n', DEFAULTS);
    assert.deepEqual((await m.liveWorkers()).map((w) => w.address.Host), ['::1']);
  });

  test('a bad line is an error that names the file, the line and the forms', () => {
    const bad = (text: string, message: RegExp) => assert.throws(() => parse(text), (e: Error) => e instanceof InvalidArgumentError && message.test(e.message));
    bad('ok-host\n::1:28080', /^workers:2: '::1:28080' is not host, host:port or \[ipv6\]:port \(port 1\.\.65535\)$/);
    bad('[::1', /'\[::1' is not host/);
    bad('host:', /'host:' is not host/);
    bad('host:70000', /'host:70000' is not host, host:port or \[ipv6\]:port \(port 1\.\.65535\)/);
    bad('host:0', /'host:0' is not host/);
    bad('a:1\na:1', /^workers:2: worker a:1 listed twice$/);
    bad('a:1 socket=relative.sock', /'socket=relative.sock' is not one of http\|rest\|s3\|web\|rpc\|data=<port> or socket=<absolute path>/);
  });
});
