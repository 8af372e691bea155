// Runs `node --test` over every compiled test tier that exists (out/test/<tier>/).
// Tiers: unit (core), cli (ksd as a user runs it), server (language server), grammar (TextMate), live
// (in-process API server). e2e and integration have their own scripts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const tiers = ['unit', 'cli', 'server', 'grammar', 'live'].map((t) => `out/test/${t}/`).filter((d) => existsSync(d));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...tiers], { stdio: 'inherit' });
process.exit(r.status ?? 1);
