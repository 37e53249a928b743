// Compile-only: a worker factory may return an http, https or HTTP/2 (secure) server, and nothing else.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { HttpClusterOptions, WorkerServer } from '../../src/http/index.js';

const plain: HttpClusterOptions = { port: 0, worker: () => http.createServer() };
const secure: HttpClusterOptions = { port: 0, worker: () => https.createServer({}) };
const h2: HttpClusterOptions = { port: 0, worker: async () => http2.createSecureServer({ allowHTTP1: true }) };
// @ts-expect-error a bare TCP server speaks no HTTP
const tcp: HttpClusterOptions = { port: 0, worker: () => net.createServer() };
// @ts-expect-error a cleartext HTTP/2 server (h2c) is not one of them
const h2c: WorkerServer = http2.createServer();

export { plain, secure, h2, tcp, h2c };
