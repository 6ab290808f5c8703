/**
 * The HTTP front: one node:http server, a route table, and the one place where errors become
 * responses — in the envelope of the surface the route belongs to.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { clip, GatewayError, notFound, toGatewayError } from '../core/errors.ts';
import { newRequestId } from '../core/ids.ts';
import { isSurface, profileOf, type Surface } from '../wire/surface.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Runtime } from '../exchange/runtime.ts';

/** Whose envelope a route's errors take: a model API's (its surface), or the gateway's own plain one (admin, console, health). */
export type RouteSurface = Surface | 'admin' | 'plain';
export type Handler = (rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string, param?: string) => Promise<void> | void;

export interface Route {
  method: string;
  path: string;
  surface: RouteSurface;
  handler: Handler;
  prefix?: boolean;
  /** false: not an inference request (no request metrics or span), e.g. the organization APIs on /v1. */
  observe?: boolean;
}

/** Longest error message sent to a client: messages that quote client input never echo it whole. */
const MAX_MESSAGE = 1024;

export function renderError(surface: RouteSurface, err: GatewayError, requestId: string, res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.message.length > MAX_MESSAGE) err.message = clip(err.message, MAX_MESSAGE);
  const profile = isSurface(surface) ? profileOf(surface) : undefined;
  const body = profile ? profile.errorBody(err, requestId) : JSON.stringify({ error: { type: err.type, code: err.code, message: err.message } });
  res.writeHead(err.status, {
    ...err.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    [profile?.requestIdHeader ?? 'x-request-id']: requestId,
  });
  res.end(body);
}

function surfaceForUnknown(req: IncomingMessage): RouteSurface {
  return req.url?.startsWith('/v1/chat') || (req.url?.startsWith('/v1/') && !req.headers['anthropic-version']) ? 'openai' : 'anthropic';
}

export function createHttpServer(rt: Runtime, routes: Route[], life?: Lifecycle): http.Server {
  const exact = new Map<string, Route>();
  const prefixed: Route[] = [];
  for (const r of routes) {
    if (r.prefix) prefixed.push(r);
    else exact.set(`${r.method} ${r.path}`, r);
  }

  const h = rt.config.http;
  const server = http.createServer(
    {
      headersTimeout: Math.min(h.headersTimeoutMs, h.requestTimeoutMs),
      requestTimeout: h.requestTimeoutMs,
      keepAliveTimeout: h.keepAliveTimeoutMs,
      maxHeaderSize: h.maxHeaderBytes,
      // How often Node checks the header and request timeouts (its default, 30 s, would let a slow client overstay them).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(h.headersTimeoutMs, h.requestTimeoutMs) / 4))),
    },
    (req, res) => {
      const requestId = newRequestId();
      const q = req.url!.indexOf('?');
      const path = q < 0 ? req.url! : req.url!.slice(0, q);
      let route = exact.get(`${req.method} ${path}`);
      let param: string | undefined;
      if (!route) {
        for (const r of prefixed)
          if (req.method === r.method && path.startsWith(r.path)) {
            route = r;
            param = path.slice(r.path.length);
            break;
          }
      }
      if (!route) {
        req.resume();
        renderError(surfaceForUnknown(req), notFound(`Not found: ${clip(req.method ?? '', 16)} ${clip(path, 128)}`), requestId, res);
        return;
      }
      const r = route;
      if (life?.draining) res.shouldKeepAlive = false; // shutting down: this connection ends with this reply
      if (rt.telemetry && r.observe !== false && isSurface(r.surface)) rt.telemetry.begin(r.surface, path, res);
      let p: Promise<void> | void;
      try {
        p = r.handler(rt, req, res, requestId, param);
      } catch (e) {
        fail(e);
        return;
      }
      if (p) {
        if (life) {
          life.inflight++;
          p.then(left, (e) => {
            left();
            fail(e);
          });
        } else p.catch(fail);
      }

      function left() {
        life!.inflight--;
      }

      function fail(e: unknown) {
        const err = toGatewayError(e);
        rt.telemetry?.refused(r.surface, res, err.status, err.type, err.code);
        if (err.status >= 500) rt.log.error({ requestId, err: e instanceof GatewayError ? { message: err.message, code: err.code } : e }, 'request failed');
        // After a failed authentication the connection is closed: the rest of the body is not read.
        if (!req.complete && err.headers.connection !== 'close') req.resume();
        renderError(r.surface, err, requestId, res);
      }
    },
  );
  server.keepAliveTimeout = h.keepAliveTimeoutMs;
  server.headersTimeout = Math.min(h.headersTimeoutMs, h.requestTimeoutMs);
  server.requestTimeout = h.requestTimeoutMs;
  return server;
}
