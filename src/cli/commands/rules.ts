import { resolveProxyVersion, rulesRenderer, RulesRequestError, UnknownNodeError, UnknownVersionError, type ProxyVersionMode } from '../../core';
import { flagString, parseArgs, UsageError } from '../args';
import { CliError, type CliIO } from '../io';
import { findService, loadState, maxFileSize, PATH_FLAGS } from '../state';

export const rulesHelp = `ksd rules PATHS [--service NS/NAME] [--mode iptables|nftables|ipvs] [--kube-proxy-version X.Y]
          [--format restore|save|ipvsadm|ipset|iptables] [--node NAME]
  The rules kube-proxy would write on a node for the Services in PATHS.
  iptables: restore (default) is the iptables-restore payload kube-proxy generates; save is the node as
    iptables-save prints it (built-in chains and kube-proxy's jump rules included).
  nftables: restore (default) is the transaction kube-proxy sends to nft; save is the table as
    "nft list table" prints it.
  ipvs: restore (default) is everything; ipvsadm, ipset and iptables show one part (virtual servers as
    ipvsadm -Ln lists them, the ipsets, the iptables helper payload).
  --kube-proxy-version picks the layout of that release: iptables 1.15 and later, nftables 1.31-1.33,
    1.34-1.35 and 1.36, ipvs 1.29 and later; other versions are refused with the reason. nftables 1.37 is
    refused (its single-endpoint DNAT and localhost NodePort objects are not established); a 1.37 node's
    "nft list table" output is read and traced with ksd trace --rules FILE.
  Without it, the version comes from the cluster in PATHS: the image tag of the kube-proxy DaemonSet
    (kube-system), else that of the kube-proxy Pod on the node (static pods: GKE component=kube-proxy,
    kOps k8s-app=kube-proxy), else the node's status.nodeInfo.kubeletVersion; a version a mode does not model is
    shown in the nearest modelled layout, with a note (stderr for the iptables restore payload, a
    "# note:" line otherwise). With neither: iptables and ipvs the current layout, nftables 1.36.
  --node defaults to the first Node given.`;

export async function rulesCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    service: { value: true },
    mode: { value: true, choices: ['iptables', 'nftables', 'ipvs'] },
    'kube-proxy-version': { value: true },
    format: { value: true },
    node: { value: true },
    ...PATH_FLAGS,
  });
  if (!args.positionals.length) throw new UsageError('ksd rules needs at least one PATH');
  const mode = flagString(args, 'mode') ?? 'iptables';
  let renderer;
  try {
    renderer = rulesRenderer(mode);
  } catch (e) {
    if (e instanceof RulesRequestError) throw new CliError(e.message);
    throw e;
  }
  const format = flagString(args, 'format');
  if (format !== undefined && !renderer.formats.includes(format)) throw new UsageError(`--format must be one of ${renderer.formats.join(', ')} for --mode ${mode} (got "${format}")`);
  const { state } = await loadState(args.positionals, {}, io, maxFileSize(args));
  const ref = flagString(args, 'service');
  const service = ref ? findService(state, ref) : undefined;
  const node = flagString(args, 'node');
  // No --kube-proxy-version: the cluster's (its kube-proxy DaemonSet, else the node's kubelet), said in a note.
  const { version, note } = resolveProxyVersion(state, mode as ProxyVersionMode, { version: flagString(args, 'kube-proxy-version'), node });
  try {
    const text = renderer.render({ state, service, node, version, format, date: new Date() });
    // The iptables restore payload stays exactly what kube-proxy feeds iptables-restore: its note goes to stderr.
    const payloadOnly = mode === 'iptables' && (format ?? 'restore') === 'restore';
    if (note && payloadOnly) io.err(`ksd rules: note: ${note}\n`);
    io.out(note && !payloadOnly ? `# note: ${note}\n${text}` : text);
  } catch (e) {
    if (e instanceof UnknownVersionError || e instanceof UnknownNodeError || e instanceof RulesRequestError) throw new CliError(e.message);
    throw e;
  }
  return 0;
}
