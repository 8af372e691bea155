/** preferLive (one answer per finding, live ones worded for the context) and liveGap (can the live data answer for a namespace?). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_CHECKS, type Diagnostic } from '../../src/core';
import { LIVE_ANSWERED_CODES, liveAnswers, liveGap, liveWording, preferLive, type ContextStatus, type ResourceStatus } from '../../src/live';

const d = (code: string, line: number, message: string): Diagnostic => ({ file: '/x.yaml', code, message, severity: 'warning', range: { start: { line, character: 2 }, end: { line, character: 9 } } });

describe('preferLive', () => {
  it('takes pod- and cluster-dependent findings from the live analysis and the rest from the offline one, once', () => {
    const offline = [d('KSD101', 6, 'Selector app=web matches no pods'), d('KSD206', 10, 'port name'), d('KSD001', 1, 'YAML error'), d('KSD302', 4, 'clusterIP taken')];
    const live = [d('KSD206', 10, 'port name'), d('KSD001', 1, 'YAML error'), d('KSD203', 11, 'targetPort 9090 on no pod'), d('KSD801', 11, 'drift')];
    const out = preferLive(offline, live, 'kind');
    assert.deepEqual(out.offline.map((x) => x.code), ['KSD206', 'KSD001']);
    assert.deepEqual(out.live.map((x) => x.code), ['KSD203', 'KSD801']);
    assert.deepEqual(out.live.map((x) => x.message), ['Live cluster "kind": targetPort 9090 on no pod', 'Live cluster "kind": drift']);
  });

  it('no live findings: the offline findings that depend on other objects go (the live state answered them: nothing wrong)', () => {
    const out = preferLive([d('KSD101', 6, 'no pods'), d('KSD601', 7, 'all unready'), d('KSD209', 9, 'duplicate port')], [], 'prod');
    assert.deepEqual(out.offline.map((x) => x.code), ['KSD209']);
    assert.deepEqual(out.live, []);
  });

  it('the split follows the registry: checks reading only what the live source follows are live-answered, the others stay offline', () => {
    for (const c of ALL_CHECKS) {
      assert.ok(c.reads !== undefined, `${c.code} declares what it reads`);
      assert.equal(LIVE_ANSWERED_CODES.has(c.code), liveAnswers(c), c.code);
    }
    for (const code of ['KSD101', 'KSD201', 'KSD203', 'KSD211', 'KSD212', 'KSD302', 'KSD501', 'KSD601', 'KSD603', 'KSD801', 'KSD802']) assert.ok(LIVE_ANSWERED_CODES.has(code), code);
    // Object-only, or reading workloads, Service CIDRs, ReferenceGrants or NetworkPolicies, which the live source does not follow.
    for (const code of ['KSD102', 'KSD103', 'KSD104', 'KSD204', 'KSD206', 'KSD209', 'KSD301', 'KSD304', 'KSD305', 'KSD401', 'KSD403', 'KSD503', 'KSD701']) assert.ok(!LIVE_ANSWERED_CODES.has(code), code);
    assert.equal(liveAnswers({ reads: ['Pod', 'Deployment'] }), false);
    assert.equal(liveAnswers({ reads: undefined }), false);
  });

  it('words a message for the context once', () => {
    assert.equal(liveWording(liveWording('x', 'kind'), 'kind'), 'Live cluster "kind": x');
  });
});

const res = (resource: ResourceStatus['resource'], state: ResourceStatus['state'], extra: Partial<ResourceStatus> = {}): ResourceStatus => ({ resource, state, since: 1, objects: 0, reconnects: 0, relists: 0, ...extra });
const status = (resources: ResourceStatus[], perNamespace: ContextStatus['perNamespace'] = []): ContextStatus => ({ context: 'kind', server: 'https://x', state: 'synced', since: 1, perNamespace, resources });

describe('liveGap', () => {
  const synced = [res('services', 'synced'), res('pods', 'synced'), res('endpointslices', 'synced')];

  it('synced, or stale after a sync: usable; nodes are not needed', () => {
    assert.equal(liveGap(status([...synced, res('nodes', 'forbidden')]), 'shop'), undefined);
    assert.equal(liveGap(status([res('services', 'synced'), res('pods', 'reconnecting', { staleSince: 5 }), res('endpointslices', 'synced')]), 'shop'), undefined);
  });

  it('never synced, forbidden, failing or not followed: not usable, with the reason', () => {
    assert.match(liveGap(status([res('services', 'synced'), res('pods', 'syncing'), res('endpointslices', 'synced')]), 'shop') ?? '', /pods not synced yet/);
    assert.match(liveGap(status([res('services', 'synced'), res('pods', 'reconnecting'), res('endpointslices', 'synced')]), 'shop') ?? '', /pods not synced yet/);
    assert.match(liveGap(status([res('services', 'synced'), res('pods', 'synced'), res('endpointslices', 'error', { message: 'boom' })]), 'shop') ?? '', /endpointslices: boom/);
    assert.match(liveGap(status([res('services', 'synced'), res('pods', 'synced')]), 'shop') ?? '', /endpointslices are not followed/);
  });

  it('after an RBAC fallback, the namespace\'s own list decides', () => {
    const per = [res('services', 'synced'), res('endpointslices', 'synced'), res('pods', 'forbidden'), res('pods', 'synced', { namespace: 'shop' }), res('pods', 'forbidden', { namespace: 'admin' })];
    assert.equal(liveGap(status(per, ['pods']), 'shop'), undefined);
    assert.match(liveGap(status(per, ['pods']), 'admin') ?? '', /not allowed to read pods in namespace admin/);
    assert.match(liveGap(status(per, ['pods']), 'other') ?? '', /pods in namespace other are not listed/);
  });
});
