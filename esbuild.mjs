// Shipping build: one bundle per entry point. tsc only type-checks (and emits out/ for tests).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';

const args = new Set(process.argv.slice(2));
const minify = args.has('--minify');
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;

/**
 * client-node (15 MB) in a bundle of its own, dist/client-node.js, that the server and the extension load
 * only when a live cluster is used (src/live/clientNode.ts imports it lazily): their own bundles stay small.
 * @type {esbuild.Plugin}
 */
const clientNodeApart = {
  name: 'client-node-apart',
  setup(build) {
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: './client-node.js', external: true }));
  },
};

/** @type {esbuild.BuildOptions[]} */
const targets = [
  // client-node (15 MB bundled) stays in node_modules: only `--live` loads it, so other commands start fast.
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', external: ['@kubernetes/client-node'] },
  { entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', plugins: [clientNodeApart] },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'], plugins: [clientNodeApart] },
  { stdin: { contents: "export * from '@kubernetes/client-node';", resolveDir: '.', loader: 'js' }, outfile: 'dist/client-node.js', platform: 'node', format: 'cjs' },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
].filter((t) => t.stdin || existsSync(t.entryPoints[0]));

await Promise.all(
  targets.map((t) =>
    esbuild.build({
      bundle: true,
      target: t.platform === 'node' ? 'node20' : 'es2022',
      minify,
      sourcemap: !minify,
      logLevel: 'warning',
      define: { __KSD_VERSION__: JSON.stringify(version) },
      ...t,
    }),
  ),
);
// The panel's icon font: copied from @vscode/codicons so the webview loads it locally (no remote content).
if (existsSync('webview/main.ts')) {
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
}
console.log(`built ${targets.map((t) => t.outfile).join(', ')}`);
