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
