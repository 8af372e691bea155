import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { HELD, STOP, WORKER_MARK } from '../../src/cli/batch/protocol';
import { inputStamp } from '../../src/cli/batch/stamp';

// `ksd trace --batch` on worker threads (--jobs): the output and the errors are those of one thread.
const root = path.resolve(__dirname, '../../..');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
const dir = mkdtempSync(path.join(tmpdir(), 'ksd-jobs-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const SERVICES = 240;
const ip = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
const svcIP = (s: number) => ip(10, 96, s >> 8, s & 255);
const podIP = (s: number, e: number) => ip(10, 244, s % 200, 10 + e);

/** Two Nodes and Services of every kind: affinity, NodePort with eTP Local, LoadBalancer with source ranges, external IPs, UDP, none ready. */
function cluster(): string {
  const docs: unknown[] = [];
  for (const [n, addr] of [['node-a', '192.168.0.2'], ['node-b', '192.168.0.3']] as const)
    docs.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: n, labels: { 'topology.kubernetes.io/zone': n } }, status: { addresses: [{ type: 'InternalIP', address: addr }], conditions: [{ type: 'Ready', status: 'True' }] } });
  for (let s = 0; s < SERVICES; s++) {
    const ns = `ns${s % 7}`;
    const name = `svc${s}`;
    const kind = s % 6;
    const ports: Record<string, unknown>[] = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
    if (kind === 1) ports.push({ name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' });
    const spec: Record<string, unknown> = { clusterIP: svcIP(s), selector: { app: name }, ports };
    if (kind === 2) Object.assign(spec, { type: 'NodePort', externalTrafficPolicy: 'Local' });
    if (kind === 3) Object.assign(spec, { type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24'] });
    if (kind === 2 || kind === 3) ports[0]!['nodePort'] = (kind === 2 ? 30000 : 31000) + s;
    if (kind === 4) Object.assign(spec, { sessionAffinity: 'ClientIP', externalIPs: [ip(198, 51, 100, s % 250)] });
    const status = kind === 3 ? { loadBalancer: { ingress: [{ ip: ip(203, 0, 114, s % 250) }] } } : undefined;
    docs.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec, ...(status ? { status } : {}) });
    const endpoints = [];
    for (let e = 0; e < 1 + (s % 4); e++)
      endpoints.push({ addresses: [podIP(s, e)], nodeName: e % 2 ? 'node-b' : 'node-a', conditions: { ready: kind !== 5 || e > 0, serving: true, terminating: false } });
    docs.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: ns, name: `${name}-x1`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints,
      ports: kind === 1 ? [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }] : [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }
  return docs.map((d) => JSON.stringify(d)).join('\n---\n');
}

/** Pod, node and outside flows to every address of every Service, plus a port no Service has. */
function flows(): { from: string; to: string; protocol?: string }[] {
  const out: { from: string; to: string; protocol?: string }[] = [];
  for (let s = 0; s < SERVICES; s++) {
    const kind = s % 6;
    out.push({ from: podIP((s + 1) % SERVICES, 0), to: `${svcIP(s)}:80` });
    if (kind === 1) out.push({ from: podIP(s, 0), to: `${svcIP(s)}:53`, protocol: 'UDP' });
    if (kind === 2) out.push({ from: '8.8.8.8', to: `node:node-b:${30000 + s}` }, { from: 'node:node-a', to: `192.168.0.2:${30000 + s}` });
    if (kind === 3) out.push({ from: '203.0.113.7', to: `${ip(203, 0, 114, s % 250)}:80` }, { from: '8.8.4.4', to: `${ip(203, 0, 114, s % 250)}:80` });
    if (kind === 4) out.push({ from: '8.8.8.8', to: `${ip(198, 51, 100, s % 250)}:80` });
  }
  out.push({ from: podIP(3, 0), to: `${svcIP(3)}:81` });
  return out;
}

const manifests = write('cluster.yaml', cluster());
const flowList = flows();
const flowsFile = write('flows.json', JSON.stringify(flowList));

function sameForEveryJobs(label: string, args: string[], count = flowList.length, jobsList = ['2'], auto = false): void {
  const one = ksd(...args, '--jobs', '1');
  assert.equal(one.status, 0, `${label}: ${one.stderr}`);
  const results = JSON.parse(one.stdout) as { verdict: string }[];
  assert.equal(results.length, count, label);
  // The batch is not trivial: traces end in every verdict the cluster has.
  assert.ok(new Set(results.map((r) => r.verdict)).size >= 3, `${label}: ${[...new Set(results.map((r) => r.verdict))].join(',')}`);
  for (const jobs of jobsList) {
    const many = ksd(...args, '--jobs', jobs);
    assert.equal(many.status, 0, `${label} --jobs ${jobs}: ${many.stderr}`);
    assert.ok(many.stdout === one.stdout, `${label}: --jobs ${jobs} printed other bytes than --jobs 1`);
    assert.equal(many.stderr, one.stderr, label);
  }
  // Without --jobs: the automatic choice (one thread below 1,000 flows).
  if (auto) assert.ok(ksd(...args).stdout === one.stdout, `${label}: auto printed other bytes than --jobs 1`);
}

test('--batch --jobs 2 (and 3) print byte for byte what --jobs 1 prints: iptables, nftables, ipvs', () => {
  for (const mode of ['iptables', 'nftables', 'ipvs']) sameForEveryJobs(mode, ['trace', manifests, '--batch', flowsFile, '--mode', mode], flowList.length, mode === 'iptables' ? ['2', '3'] : ['2'], mode === 'iptables');
  sameForEveryJobs('iptables 1.26 from node-b', ['trace', manifests, '--batch', flowsFile, '--kube-proxy-version', '1.26', '--node', 'node-b']);
});

test('--batch --jobs over imported rules (--rules iptables-save, nft, ipvsadm) prints what --jobs 1 prints', () => {
  const save = write('node-a.save', ksd('rules', manifests, '--format', 'save', '--node', 'node-a').stdout);
  sameForEveryJobs('--rules save', ['trace', manifests, '--rules', save, '--batch', flowsFile], flowList.length, ['2', '3']);
  // Without manifests: the rules alone, node addresses by --node-ip.
  const ipFlows = flowList.filter((f) => /^\d/.test(f.from) && /^\d/.test(f.to));
  sameForEveryJobs('--rules save, no PATHS', ['trace', '--rules', save, '--node-ip', '192.168.0.2', '--batch', write('ip-flows.json', JSON.stringify(ipFlows))], ipFlows.length);
  const nft = write('node-a.nft', ksd('rules', manifests, '--mode', 'nftables', '--format', 'save', '--node', 'node-a').stdout);
  sameForEveryJobs('--rules nft', ['trace', manifests, '--rules', nft, '--mode', 'nftables', '--batch', flowsFile]);
  const ipvs = write('node-a.ipvs', ksd('rules', manifests, '--mode', 'ipvs', '--format', 'ipvsadm', '--node', 'node-a').stdout);
  sameForEveryJobs('--rules ipvs', ['trace', manifests, '--rules', ipvs, '--mode', 'ipvs', '--batch', flowsFile]);
});

test('--batch --jobs: the error of the lowest failing flow, nothing on stdout, the exit code of one thread', () => {
  const bad = [...flowList];
  bad[bad.length - 3] = { from: 'pod:ns1/nobody', to: `${svcIP(1)}:80` };
  bad[Math.floor(bad.length / 2)] = { from: podIP(1, 0), to: `${svcIP(1)}:99999` };
  bad[bad.length - 1] = { from: podIP(1, 0), to: 'fd00::1:80' };
  const file = write('bad.json', JSON.stringify(bad));
  const one = ksd('trace', manifests, '--batch', file, '--jobs', '1');
  assert.equal(one.status, 2);
  assert.equal(one.stdout, '');
  assert.match(one.stderr, new RegExp(`^ksd trace: flow ${Math.floor(bad.length / 2) + 1}: --to 10\\.96\\.0\\.1:99999: expected DST:PORT`));
  for (const jobs of ['2', '3']) {
    const many = ksd('trace', manifests, '--batch', file, '--jobs', jobs);
    assert.deepEqual([many.status, many.stdout, many.stderr], [one.status, one.stdout, one.stderr], `--jobs ${jobs}`);
  }
  // The first flow failing: the main thread's own chunk.
  const first = write('bad-first.json', JSON.stringify([{ from: 'nowhere', to: `${svcIP(0)}:80` }, ...flowList]));
  const a = ksd('trace', manifests, '--batch', first, '--jobs', '1');
  const b = ksd('trace', manifests, '--batch', first, '--jobs', '3');
  assert.equal(a.status, 2);
  assert.match(a.stderr, /^ksd trace: flow 1: --from nowhere/);
  assert.deepEqual([b.status, b.stdout, b.stderr], [a.status, a.stdout, a.stderr]);
});

test('--jobs is checked: a whole number from 1 to 64, only with --batch', () => {
  for (const v of ['0', '-1', '1.5', 'two', '65', '']) {
    const r = ksd('trace', manifests, '--batch', flowsFile, `--jobs=${v}`);
    assert.equal(r.status, 2, v);
    assert.match(r.stderr, /--jobs must be a whole number from 1 to 64/, v);
    assert.equal(r.stdout, '');
  }
  const r = ksd('trace', manifests, '--from', podIP(0, 0), '--to', `${svcIP(1)}:80`, '--jobs', '2');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--jobs goes with --batch/);
  assert.match(ksd('trace', '--help').stdout, /--jobs N\s+sets the most threads/);
});

test('--batch from 5 flows to an empty batch: results as before, with any --jobs', () => {
  const five = write('five.json', JSON.stringify(flowList.slice(0, 5)));
  const one = ksd('trace', manifests, '--batch', five, '--jobs', '1');
  assert.equal(one.status, 0, one.stderr);
  assert.equal((JSON.parse(one.stdout) as unknown[]).length, 5);
  assert.ok(ksd('trace', manifests, '--batch', five, '--jobs', '4').stdout === one.stdout);
  assert.ok(ksd('trace', manifests, '--batch', five).stdout === one.stdout);
  const none = ksd('trace', manifests, '--batch', write('none.json', '[]'), '--jobs', '3');
  assert.deepEqual([none.status, none.stdout], [0, '[]\n']);
});

test('--batch with PATHS "-" (stdin) stays on one thread: stdin is read once', () => {
  const input = JSON.stringify(flowList.slice(0, 40));
  const r = spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), 'trace', '-', '--batch', write('forty.json', input), '--jobs', '2'], { cwd: root, encoding: 'utf8', input: cluster() });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout === ksd('trace', manifests, '--batch', path.join(dir, 'forty.json'), '--jobs', '1').stdout);
});

test('the CLI bundle is also the worker: run as one, it traces the chunks it claims as --jobs 1 does', async () => {
  const count = flowList.length;
  const chunkSize = 50;
  const shared = new SharedArrayBuffer(4 * (HELD + 2));
  const a = new Int32Array(shared);
  a[STOP] = Math.ceil(count / chunkSize);
  a.fill(-1, HELD);
  const options = { paths: [manifests], mode: 'iptables', nodeIPs: [] };
  const payload = { options, flows: flowList, stamp: (await inputStamp([manifests], undefined)).text };
  // This thread claims nothing: the worker takes every chunk.
  const w = new Worker(path.join(root, 'dist/cli.js'), { workerData: { mark: WORKER_MARK, shared, thread: 1, count, chunkSize, payload } });
  const texts: string[] = [];
  w.on('message', (m: { type: string; chunk: number; text: string }) => (texts[m.chunk] = m.type === 'chunk' ? m.text : `${m.type}: ${JSON.stringify(m)}`));
  const code = await new Promise((r) => w.on('exit', r));
  assert.equal(code, 0);
  assert.equal(texts.length, Math.ceil(count / chunkSize));
  const one = ksd('trace', manifests, '--batch', flowsFile, '--jobs', '1');
  assert.ok(`[\n${texts.join(',\n')}\n]\n` === one.stdout, 'the worker\'s chunks are the one-thread output');
  // A stamp that is not the inputs': the worker refuses to trace (the manifests changed under it).
  a[0] = 0;
  const stale = new Worker(path.join(root, 'dist/cli.js'), { workerData: { mark: WORKER_MARK, shared, thread: 1, count, chunkSize, payload: { ...payload, stamp: 'older' } } });
  const msg = await new Promise<{ type: string; error: { message: string } }>((r) => stale.on('message', r));
  assert.equal(msg.type, 'setupFailed');
  assert.match(msg.error.message, /changed while the --batch threads were reading them/);
  await stale.terminate();
});

test('--rules warnings are printed once, by this thread, however many threads read the file', () => {
  const lines = readFileSync(path.join(root, 'test/fixtures/rules/node-save.txt'), 'utf8').split('\n');
  lines.splice(14, 0, '-A INPUT -m geoip --src-cc XX -j DROP');
  const rules = write('geoip-save.txt', lines.join('\n'));
  const batch = write('forty-flows.json', JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ from: `10.244.1.${i + 1}`, to: '10.96.31.4:80' }))));
  const one = ksd('trace', '--rules', rules, '--batch', batch, '--jobs', '1');
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.stderr, `warning: ${rules}:15: match module "geoip" is not modelled: kept as text, and a trace treats it as not matching\n`);
  const three = ksd('trace', '--rules', rules, '--batch', batch, '--jobs', '3');
  assert.deepEqual([three.status, three.stderr], [0, one.stderr]);
  assert.ok(three.stdout === one.stdout);
});
