#!/usr/bin/env node
'use strict';
// The ksd command. `npm ci` builds dist/ through the prepare script.
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('ksd: the bundle dist/cli.js is missing; run `npm ci` (or `npm run build`) in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}
// A reader that stops early (`ksd rules ... | head`) closes the pipe: stop quietly with the exit code so far,
// as ripgrep and most modern command-line tools do, instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { main } = require(cli);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write('ksd: ' + String(e) + '\n');
    process.exitCode = 3;
  },
);
