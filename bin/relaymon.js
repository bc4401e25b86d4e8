#!/usr/bin/env node
// React's development build draws the dashboard several times slower, and few shells set NODE_ENV.
process.env.NODE_ENV ??= 'production';
// `relaymon --version` alone needs no command: answered without loading commander (src/cli/version-only.ts).
const args = process.argv.slice(2);
const versionOnly = args.length === 1 && (args[0] === '--version' || args[0] === '-V');
await import(versionOnly ? '../dist/cli/version-only.js' : '../dist/cli/main.js');
