/**
 * Graceful shutdown. The HTTP front counts the requests whose handlers are running and, once
 * draining, answers with `connection: close`. `drain()` stops accepting connections, closes idle
 * keep-alive connections as they become idle, and waits for in-flight requests and streams to
 * finish — up to a deadline, after which the rest are cut (a cut stream is billed for what it
 * produced, as for any client disconnect) and their handlers get a moment to settle.
 */
import type http from 'node:http';

export class Lifecycle {
  draining = false;
  inflight = 0;

  async drain(server: http.Server, graceMs: number, settleMs = 2_000): Promise<{ cut: boolean; left: number }> {
    this.draining = true;
    server.close();
    const idle = () => server.closeIdleConnections();
    idle();
    const done = await this.waitIdle(graceMs, idle);
    if (done) return { cut: false, left: 0 };
    server.closeAllConnections();
    await this.waitIdle(settleMs, () => {});
    return { cut: true, left: this.inflight };
  }

  private waitIdle(ms: number, tick: () => void): Promise<boolean> {
    const deadline = Date.now() + ms;
    return new Promise((resolve) => {
      const check = () => {
        tick();
        if (this.inflight === 0) {
          resolve(true);
          return;
        }
        if (Date.now() >= deadline) {
          resolve(false);
          return;
        }
        setTimeout(check, 25);
      };
      check();
    });
  }
}
