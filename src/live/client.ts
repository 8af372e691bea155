/**
 * Read-only access to one API server through @kubernetes/client-node: the KubeConfig supplies TLS
 * material, tokens and credential plugins; lists go through a plain GET with those options, watches
 * through client-node's Watch. There is no method here that could write: every request is a GET.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { clientNode } from './clientNode';
import { errorFromNetwork, errorFromStatus, LiveError, type ApiStatus } from './errors';
import type { ResolvedContext } from './kubeconfig';

export type Query = Record<string, string | number | boolean | undefined>;

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export interface WatchHandle {
  stop(): void;
}

export interface ApiClient {
  readonly server: string;
  /** GET a list or an object (JSON). */
  get<T>(path: string, query?: Query): Promise<T>;
  /**
   * Starts a watch (`?watch=true`). `onDone` is called exactly once: without an error when the server
   * ended the stream, with one when it failed. Never called after `stop()`.
   */
  watch(path: string, query: Query, onEvent: (e: WatchEvent) => void, onDone: (err?: LiveError) => void): Promise<WatchHandle>;
}

export interface ClientOptions {
  /** Per list page (default 60 s). */
  requestTimeoutMs?: number;
}

function url(server: string, path: string, query: Query = {}): URL {
  const u = new URL(server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u;
}

export async function createApiClient(ctx: ResolvedContext, options: ClientOptions = {}): Promise<ApiClient> {
  const k8s = await clientNode();
  const cluster = ctx.config.getCurrentCluster();
  if (!cluster) throw new LiveError('bad-kubeconfig', `context "${ctx.info.name}" has no cluster`);
  const server = cluster.server;
  const timeout = options.requestTimeoutMs ?? 60_000;
  const watcher = new k8s.Watch(ctx.config);

  async function get<T>(path: string, query?: Query): Promise<T> {
    const target = url(server, path, query);
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    try {
      await ctx.config.applyToHTTPSOptions(opts);
    } catch (e) {
      throw new LiveError('unauthorized', `cannot get credentials for context "${ctx.info.name}": ${e instanceof Error ? e.message : String(e)}`);
    }
    opts.method = 'GET';
    const what = `GET ${target.pathname}`;
    return new Promise<T>((resolve, reject) => {
      const lib = target.protocol === 'http:' ? http : https;
      const req = lib.request(target, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(errorFromNetwork(e, what)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            if (typeof body !== 'object' || body === null) reject(new LiveError('bad-response', `${what}: the server did not answer with JSON`, status));
            else resolve(body as T);
          } else reject(errorFromStatus(status, body as ApiStatus | undefined, what));
        });
      });
      req.setTimeout(timeout, () => req.destroy(new LiveError('timeout', `${what}: no answer within ${Math.round(timeout / 1000)} s`)));
      req.on('error', (e) => reject(errorFromNetwork(e, what)));
      req.end();
    });
  }

  async function watch(path: string, query: Query, onEvent: (e: WatchEvent) => void, onDone: (err?: LiveError) => void): Promise<WatchHandle> {
    let stopped = false;
    let finished = false;
    const finish = (err?: LiveError) => {
      if (finished || stopped) return;
      finished = true;
      onDone(err);
    };
    const what = `watch ${path}`;
    let controller: AbortController | undefined;
    try {
      controller = await watcher.watch(
        path,
        query,
        (type: string, object: unknown) => {
          if (stopped || finished) return;
          if (typeof object !== 'object' || object === null) return;
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' || type === 'BOOKMARK' || type === 'ERROR') onEvent({ type, object: object as Record<string, unknown> });
        },
        (err: unknown) => finish(err ? errorFromNetwork(err, what) : undefined),
      );
    } catch (e) {
      finish(errorFromNetwork(e, what));
    }
    return {
      stop() {
        stopped = true;
        controller?.abort();
      },
    };
  }

  return { server, get, watch };
}
