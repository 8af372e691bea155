/** `ksd ... | head`: a reader that closes the pipe early ends ksd quietly, with no EPIPE stack trace. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');

function firstChunkThenClose(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; got: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let got = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', (d: Buffer) => {
      got = d.length;
      child.stdout.destroy(); // as `head` does once it has its lines
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, got }));
  });
}

test('ksd rules | head: the closed pipe ends ksd with exit 0 and nothing on stderr', async () => {
  // 2,000 Services: their iptables-save view (~1 MB) is many pipe chunks, so ksd is still writing when the pipe closes.
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-pipe-'));
  try {
    const docs = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { clusterIP: `10.96.${i >> 8}.${i & 255}`, ports: [{ port: 80 }] } }));
    writeFileSync(path.join(dir, 'services.yaml'), docs.join('\n---\n'));
    const r = await firstChunkThenClose(['rules', dir, '--format', 'save']);
    assert.ok(r.got > 0);
    assert.equal(r.stderr, '');
    assert.deepEqual([r.code, r.signal], [0, null]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
