/**
 * The user's kubeconfig, merged the way kubectl merges it: KUBECONFIG may name several files
 * (separated by ':' on Unix, ';' on Windows); missing files are skipped; for clusters, users and
 * contexts the first file that defines a name wins, and current-context comes from the first file
 * that sets one. Without KUBECONFIG, ~/.kube/config is used.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { clientNode, type KubeConfig } from './clientNode';
import { LiveError } from './errors';

export interface KubeconfigSource {
  /** Explicit files (a --kubeconfig flag or an extension setting); default: KUBECONFIG, then ~/.kube/config. */
  files?: string[];
  env?: Record<string, string | undefined>;
  home?: string;
}

export interface ContextInfo {
  name: string;
  cluster: string;
  user: string;
  /** The context's namespace, "default" when it sets none. */
  namespace: string;
  server?: string;
  /** Set when the context's user runs code to get credentials. */
  credentialPlugin?: 'exec' | 'auth-provider';
}

export interface Kubeconfig {
  files: string[];
  contexts: ContextInfo[];
  currentContext?: string;
  /** The merged configuration (all contexts). */
  config: KubeConfig;
}

export function kubeconfigFiles(src: KubeconfigSource = {}): string[] {
  if (src.files?.length) return src.files;
  const env = src.env ?? process.env;
  const list = env['KUBECONFIG'];
  if (list) return list.split(delimiter).filter(Boolean);
  return [join(src.home ?? homedir(), '.kube', 'config')];
}

export async function loadKubeconfig(src: KubeconfigSource = {}): Promise<Kubeconfig> {
  const k8s = await clientNode();
  const wanted = kubeconfigFiles(src);
  const files = wanted.filter((f) => existsSync(f));
  if (!files.length) throw new LiveError('no-kubeconfig', `no kubeconfig found (looked for ${wanted.join(', ')})`);
  const clusters = new Map<string, KubeConfig['clusters'][number]>();
  const users = new Map<string, KubeConfig['users'][number]>();
  const contexts = new Map<string, KubeConfig['contexts'][number]>();
  let currentContext: string | undefined;
  for (const file of files) {
    const one = new k8s.KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (e) {
      throw new LiveError('bad-kubeconfig', `${file}: not a valid kubeconfig (${e instanceof Error ? e.message : String(e)})`);
    }
    for (const c of one.clusters ?? []) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.users ?? []) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.contexts ?? []) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!currentContext && one.currentContext) currentContext = one.currentContext;
  }
  const config = new k8s.KubeConfig();
  config.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
  const infos: ContextInfo[] = [...contexts.values()].map((c) => {
    const user = users.get(c.user);
    return {
      name: c.name,
      cluster: c.cluster,
      user: c.user,
      namespace: c.namespace || 'default',
      server: clusters.get(c.cluster)?.server,
      credentialPlugin: user?.exec ? 'exec' : user?.authProvider ? 'auth-provider' : undefined,
    };
  });
  return { files, contexts: infos, currentContext, config };
}

export interface ContextOptions {
  /** A pinned context (setting or --context); default: the kubeconfig's current-context. */
  context?: string;
  /**
   * Whether the workspace is trusted. exec and auth-provider credential plugins run programs or
   * read files named by the kubeconfig, so they are refused unless it is.
   */
  trusted: boolean;
}

export interface ResolvedContext {
  info: ContextInfo;
  /** A KubeConfig whose current context is the chosen one (what client-node requests use). */
  config: KubeConfig;
}

export async function resolveContext(kubeconfig: Kubeconfig, options: ContextOptions): Promise<ResolvedContext> {
  const name = options.context ?? kubeconfig.currentContext;
  if (!name) throw new LiveError('no-context', `the kubeconfig (${kubeconfig.files.join(', ')}) sets no current-context; pick one of: ${names(kubeconfig)}`);
  const info = kubeconfig.contexts.find((c) => c.name === name);
  if (!info) throw new LiveError('no-context', `no context "${name}" in the kubeconfig; contexts: ${names(kubeconfig)}`);
  const k8s = await clientNode();
  const cluster = kubeconfig.config.getCluster(info.cluster);
  if (!cluster) throw new LiveError('bad-kubeconfig', `context "${name}" names cluster "${info.cluster}", which the kubeconfig does not define`);
  if (info.credentialPlugin && !options.trusted) {
    throw new LiveError('untrusted', `context "${name}" gets credentials from an ${info.credentialPlugin} plugin, which runs only in a trusted workspace`);
  }
  const user = kubeconfig.config.getUser(info.user);
  const config = new k8s.KubeConfig();
  const ctx = kubeconfig.config.getContextObject(name)!;
  config.loadFromOptions({ clusters: [cluster], users: user ? [user] : [], contexts: [ctx], currentContext: name });
  return { info, config };
}

function names(k: Kubeconfig): string {
  return k.contexts.map((c) => c.name).join(', ') || '(none)';
}
