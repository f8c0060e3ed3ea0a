// A loopback reverse proxy that adds `Authorization: Bearer <token>` to every request it
// passes to Switchboard's HTTP endpoint, for test peers that cannot send headers of their
// own (the MCP conformance suite). Like a reverse proxy that sets Host to its upstream,
// it re-addresses requests made to itself (Host and Origin naming this proxy) to the
// daemon; any other Host or Origin passes through unchanged, so the daemon's own checks
// still judge them. Streams (SSE) are piped as they come; a client that goes away closes
// the upstream request too.
//
// Environment: TARGET=127.0.0.1:PORT (the daemon's endpoint), TOKEN (never an argument).
// Prints its base URL on stdout once listening. Loopback only.
import http from 'node:http';

const target = process.env.TARGET;
const token = process.env.TOKEN;
if (!target || !token) {
  console.error('TARGET and TOKEN must be set');
  process.exit(2);
}
const [targetHost, targetPort] = target.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const server = http.createServer((req, res) => {
  const self = `127.0.0.1:${server.address().port}`;
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  if (headers.host === self || headers.host === `localhost:${server.address().port}`) {
    headers.host = target;
  }
  if (headers.origin === `http://${self}`) {
    headers.origin = `http://${target}`;
  }
  const upstream = http.request(
    { host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
    }
    res.end(`proxy: ${error.message}`);
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
});

server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}`);
});
