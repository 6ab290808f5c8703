/**
 * Watches the client of one exchange. When it goes away before the reply is finished, the
 * upstream is NOT aborted at once: its reply is still read — for at most `timeoutMs` and
 * `maxBytes` more bytes (config `abortDrain`) — so its usage arrives and is billed exactly. Past
 * either bound the upstream request is aborted (`cut`), and what is billed is the documented bound.
 */
import type { ServerResponse } from 'node:http';
import { Cancel, type AbortLike } from '../core/cancel.ts';

export class ClientWatch {
  /** The client went away before the reply was finished. */
  gone = false;
  /** The gateway stopped reading the upstream (a drain bound was reached). */
  cut = false;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly controller = new Cancel();

  constructor(
    res: ServerResponse,
    private opts: { timeoutMs: number; maxBytes: number },
  ) {
    res.once('close', () => {
      if (!res.writableFinished) this.onGone();
    });
  }

  get signal(): AbortLike {
    return this.controller;
  }
  /** Same as `gone` (the attempt loop's view). */
  get clientGone(): boolean {
    return this.gone;
  }

  /** Counts upstream bytes; after the client left, past `maxBytes` the upstream is cut. */
  read(n: number): void {
    if (!this.gone) return;
    this.bytes += n;
    if (this.bytes > this.opts.maxBytes) this.cutNow();
  }

  /** The exchange is over: stop the drain timer. */
  done(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private onGone(): void {
    this.gone = true;
    if (this.opts.timeoutMs === 0) {
      this.cutNow();
      return;
    }
    this.timer = setTimeout(() => this.cutNow(), this.opts.timeoutMs);
  }

  private cutNow(): void {
    if (this.cut) return;
    this.cut = true;
    this.done();
    this.controller.abort();
  }
}
