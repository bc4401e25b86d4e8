/**
 * Preloaded into the CLI under test (NODE_OPTIONS="--require …/thread-log.cjs",
 * with RELAYMON_THREAD_LOG=<file>): a --require preload runs in every thread
 * the process starts, so each appends "thread <threadId>" to the file. (No
 * module hooks here: Module.register starts a hooks thread of its own, which
 * would be counted.) For test/integration/probe-threads.test.ts.
 */
'use strict';
const { appendFileSync } = require('node:fs');
const { threadId } = require('node:worker_threads');

if (process.env.RELAYMON_THREAD_LOG) appendFileSync(process.env.RELAYMON_THREAD_LOG, `thread ${threadId}\n`);
