import { rulesRenderer, RulesRequestError, UnknownNodeError, UnknownVersionError } from '../../core';
import { flagString, parseArgs, UsageError } from '../args';
import { CliError, type CliIO } from '../io';
import { findService, loadState } from '../state';

export const rulesHelp = `ksd rules PATHS [--service NS/NAME] [--mode iptables|nftables|ipvs] [--kube-proxy-version X.Y]
          [--format restore|save|ipvsadm|ipset|iptables] [--node NAME]
  The rules kube-proxy would write on a node for the Services in PATHS.
  iptables: restore (default) is the iptables-restore payload kube-proxy generates; save is the node as
    iptables-save prints it (built-in chains and kube-proxy's jump rules included).
  nftables: restore (default) is the transaction kube-proxy sends to nft; save is the table as
    "nft list table" prints it.
  ipvs: restore (default) is everything; ipvsadm, ipset and iptables show one part (virtual servers as
    ipvsadm -Ln lists them, the ipsets, the iptables helper payload).
  --kube-proxy-version picks the layout of that release: iptables 1.15 and later (default: the current
    layout), nftables 1.31-1.33, 1.34-1.35 (the default) and 1.36, ipvs 1.29 and later; other versions are
    refused with the reason. nftables 1.37 is refused (its single-endpoint DNAT and localhost NodePort
    objects are not established); a 1.37 node's "nft list table" output is read and traced with
    ksd trace --rules FILE.
  --node defaults to the first Node given.`;

export async function rulesCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    service: { value: true },
    mode: { value: true, choices: ['iptables', 'nftables', 'ipvs'] },
    'kube-proxy-version': { value: true },
    format: { value: true },
    node: { value: true },
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
  const { state } = await loadState(args.positionals);
  const ref = flagString(args, 'service');
  const service = ref ? findService(state, ref) : undefined;
  try {
    io.out(renderer.render({ state, service, node: flagString(args, 'node'), version: flagString(args, 'kube-proxy-version'), format, date: new Date() }));
  } catch (e) {
    if (e instanceof UnknownVersionError || e instanceof UnknownNodeError || e instanceof RulesRequestError) throw new CliError(e.message);
    throw e;
  }
  return 0;
}
