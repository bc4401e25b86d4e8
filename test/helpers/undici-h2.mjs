/**
 * Run by test/unit/client/undici-parts.test.ts in a fresh process (argv[2]:
 * the built dist/client/undici-parts.js): which of node:http2 and node:tls
 * loading undici's parts loads, then one HTTP/2 request through the parts'
 * Client (so through the stand-in for undici's client-h2.js) to a cleartext
 * HTTP/2 server on 127.0.0.1. The socket claims ALPN "h2", which is how
 * undici's client.js picks its HTTP/2 half. Prints one JSON line.
 */
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';

const parts = await import(pathToFileURL(process.argv[2]).href);
const loaded = (name) => process.moduleLoadList.includes(`NativeModule ${name}`);
const atLoad = { http2: loaded('http2'), tls: loaded('tls') };

const { createServer } = await import('node:http2');
const server = createServer((req, res) => res.end(`h2 ${req.httpVersion}`));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const client = new parts.Client(`http://127.0.0.1:${port}`, {
  connect: (_opts, callback) => {
    const socket = connect(port, '127.0.0.1');
    socket.alpnProtocol = 'h2';
    socket.once('connect', () => callback(null, socket));
    socket.once('error', (err) => callback(err, null));
  },
});
const { body } = await parts.undiciIndex().request(`http://127.0.0.1:${port}/`, { dispatcher: client });
const text = await body.text();
await client.close();
server.close();
console.log(JSON.stringify({ atLoad, body: text }));
