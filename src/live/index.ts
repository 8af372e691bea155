/** The live-cluster source: what the extension, the language server and the CLI import. */
export * from './types';
export * from './errors';
export * from './kubeconfig';
export * from './client';
export * from './cluster';
export { KUBE_PROXY_RESOURCES, RESOURCES, resourceWords, type ResourceDef } from './resources';
export * from './features';
export * from './merge';
export * from './prefer';
export * from './usable';
export * from './drift';
export * from './kubeconfigWatch';
