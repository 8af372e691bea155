/**
 * @kubernetes/client-node is an ES module; our build is CommonJS. A dynamic import loads it in both
 * worlds (esbuild bundles it; Node 20.19+ loads it from the compiled tests) and only when a live
 * source is actually used, so manifest-only users never pay for it.
 */
import type * as ClientNode from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

export type ClientNodeModule = typeof ClientNode;
export type KubeConfig = ClientNode.KubeConfig;

let loading: Promise<ClientNodeModule> | undefined;

export function clientNode(): Promise<ClientNodeModule> {
  loading ??= import('@kubernetes/client-node');
  return loading;
}
