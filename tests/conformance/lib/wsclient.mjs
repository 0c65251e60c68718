// Valid traffic through the `ws` package (the client a Node program would
// use), for the cases that need no byte control: the answers it receives,
// and a close that checks the server's echo and FIN.
import WebSocket from 'ws';

import { decodeServerMessage } from './wire.mjs';
import { CLOSE_WITHIN } from './harness.mjs';

export class WsClient {
  // Connects with the case's token; resolves after the SessionState.
  static async open(ctx, options = {}) {
    const ws = new WebSocket(ctx.url, { perMessageDeflate: false, ...options });
    const client = new WsClient(ws);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SessionState within 5 s')), 5000);
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.once('upgrade', (response) => {
        client.upgrade = response;
        ctx.track(ws._socket ?? response.socket);
      });
      client.onState = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    ctx.track(ws._socket);
    ws._socket.once('end', () => (client.ended = true));
    return client;
  }

  constructor(ws) {
    this.ws = ws;
    this.answers = [];
    this.unexpected = [];
    this.ended = false;
    this.error = null;
    this.waiter = null;
    ws.on('error', (error) => (this.error = error));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return this.note(`a text message from the server (${data.length} bytes)`);
      const message = decodeServerMessage(data);
      if (message.body === 'state' && this.onState) {
        const resolve = this.onState;
        this.onState = null;
        return resolve();
      }
      if (message.body === 'result') this.answers.push(message);
      else if (!['welcome', 'state', 'event'].includes(message.body)) this.note(`a ServerMessage ${message.body}`);
      this.waiter?.();
    });
  }

  note(what) {
    this.unexpected.push(what);
    this.waiter?.();
  }

  // Resolves true once there are `n` answers, false after `timeout` ms or
  // a close.
  waitAnswers(n, timeout = 5000) {
    if (this.answers.length >= n) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value) => {
        clearTimeout(timer);
        this.waiter = null;
        this.ws.off('close', closed);
        resolve(value);
      };
      const closed = () => done(false);
      const timer = setTimeout(() => done(false), timeout);
      this.waiter = () => this.answers.length >= n && done(true);
      this.ws.once('close', closed);
    });
  }

  send(data, binary) {
    return new Promise((resolve, reject) => this.ws.send(data, { binary }, (error) => (error ? reject(error) : resolve())));
  }

  // Closes with 1000: resolves null if the server echoed 1000 and closed
  // TCP within CLOSE_WITHIN ms, else what went wrong.
  async close() {
    const closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.ws.close(1000);
    const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), CLOSE_WITHIN));
    const code = await Promise.race([closed, timer]);
    if (code === 'timeout') return `no close echo and TCP close within ${CLOSE_WITHIN / 1000} s of our close`;
    if (code !== 1000) return `close(${code}) in answer to our close(1000)`;
    if (!this.ended) return `the server did not close TCP (${this.error?.code ?? 'no FIN'})`;
    return null;
  }
}
