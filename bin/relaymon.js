#!/usr/bin/env node
// React's development build draws the dashboard several times slower, and few shells set NODE_ENV.
process.env.NODE_ENV ??= 'production';
await import('../dist/cli/main.js');
