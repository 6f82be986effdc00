// bench/node-worker.js: a minimal, faithful Node port of the original worker, the reference of
// bench/worker. POST / {"str": "..."} -> base64(SHA-256(str + hex(n random bytes) + hour)),
// n = str's UTF-16 length, hour = local hour of day; PUBLISH to Redis channel `calculation` over a
// raw RESP socket (replies are FIFO), answer {"hash": ...} after Redis acknowledged. No access log.
// GET /metrics: "published N" and "answered200 N" (for the exactly-once check).
//   PORT=8081 REDIS_PORT=6379 node bench/node-worker.js
'use strict';
const http = require('http');
const net = require('net');
const crypto = require('crypto');

const port = Number(process.env.PORT || 8081);
const redisPort = Number(process.env.REDIS_PORT || 6379);
const prefix = process.env.PREFIX || '';
let published = 0, answered200 = 0;

// Redis: pending callbacks answered in order; integer replies (":n\r\n") or errors ("-...\r\n").
const pending = [];
let buffered = '';
const redis = net.createConnection({ host: '127.0.0.1', port: redisPort });
redis.setNoDelay(true);
redis.setEncoding('latin1');
redis.on('data', (chunk) => {
  buffered += chunk;
  let start = 0, end;
  while ((end = buffered.indexOf('\r\n', start)) !== -1) {
    const line = buffered.slice(start, end);
    start = end + 2;
    const callback = pending.shift();
    if (callback) callback(line[0] === '-' ? new Error(line.slice(1)) : null);
  }
  buffered = buffered.slice(start);
});
redis.on('error', (error) => { console.error('redis:', error.message); process.exit(1); });

function publish(channel, message, callback) {
  const c = Buffer.byteLength(channel), m = Buffer.byteLength(message);
  pending.push(callback);
  redis.write(`*3\r\n$7\r\nPUBLISH\r\n$${c}\r\n${channel}\r\n$${m}\r\n${message}\r\n`);
}

function hash(input) {
  const random = crypto.randomBytes(input.length).toString('hex');
  const hour = new Date().getHours();
  return crypto.createHash('sha256').update(input + random + hour).digest('base64');
}

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
  res.end(JSON.stringify(body) + '\n');
}

http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/metrics') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end(`published ${published}\nanswered200 ${answered200}\n`);
  }
  if (req.method === 'GET') return reply(res, 200, { ok: true });
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch (e) {
      return reply(res, 400, { error: 'body is not valid JSON' });
    }
    if (!body || typeof body.str !== 'string') return reply(res, 400, { error: 'missing field "str"' });
    const message = prefix + hash(body.str);
    publish('calculation', message, (error) => {
      if (error) return reply(res, 503, { error: 'redis publish failed' });
      published++;
      answered200++;
      reply(res, 200, { hash: message });
    });
  });
}).listen(port, '127.0.0.1');
