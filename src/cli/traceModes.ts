/**
 * `ksd trace` in nftables and IPVS modes: through rules generated from the manifests (--mode) or a
 * node's real `nft list ruleset` / `ipvsadm -Ln` output (--rules, format detected).
 */
import { promises as fs } from 'node:fs';
import {
  detectNftForm,
  looksLikeIpvsadm,
  parseIpvsadm,
  parseNft,
  renderIpvs,
  renderNftables,
  RulesParseError,
  traceIpvs,
  traceNft,
  type ClusterState,
  type IPFamily,
  type IpvsHelperState,
  type IpvsTable,
  type NftRuleset,
  type TraceContext,
  type TraceDetail,
  type TracePacket,
} from '../core';
import { describeFsError } from '../node/loadPaths';
import { CliError } from './io';

/** Traces one packet for a node and family. */
export type ModeTracer = (state: ClusterState, node: string | undefined, family: IPFamily, packet: TracePacket, ctx: TraceContext) => TraceDetail;

/**
 * The tracer for --mode nftables|ipvs or for a --rules file holding nft or ipvsadm output;
 * undefined when the iptables path applies (iptables mode, iptables-save or -L listings).
 */
export async function modeTracer(mode: string, rulesFile: string | undefined): Promise<ModeTracer | undefined> {
  if (rulesFile) {
    const text = await readText(rulesFile);
    if (detectNftForm(text)) {
      if (mode === 'ipvs') throw new CliError(`--rules ${rulesFile} holds nftables rules, not ipvsadm output (drop --mode ipvs)`);
      const rs = parseImported(rulesFile, () => parseNft(text));
      return (_s, _n, _f, packet, ctx) => traceNft(rs, packet, ctx);
    }
    if (looksLikeIpvsadm(text)) {
      if (mode === 'nftables') throw new CliError(`--rules ${rulesFile} holds ipvsadm output, not nftables rules (drop --mode nftables)`);
      const table = parseImported(rulesFile, () => parseIpvsadm(text));
      return (_s, _n, _f, packet, ctx) => traceIpvs(table, packet, ctx);
    }
    if (mode !== 'iptables') throw new CliError(`--rules ${rulesFile}: expected ${mode === 'nftables' ? '`nft list ruleset` output or an nft transaction' : '`ipvsadm -Ln` output'} for --mode ${mode}`);
    return undefined;
  }
  if (mode === 'nftables') {
    const cache = new Map<string, NftRuleset>();
    return (state, node, family, packet, ctx) => {
      const key = `${node ?? ''}/${family}`;
      let rs = cache.get(key);
      if (!rs) cache.set(key, (rs = parseNft(renderNftables(state, { family, node }).text)));
      return traceNft(rs, packet, ctx);
    };
  }
  if (mode === 'ipvs') {
    const cache = new Map<string, { table: IpvsTable; helper: IpvsHelperState }>();
    return (state, node, family, packet, ctx) => {
      const key = `${node ?? ''}/${family}`;
      let g = cache.get(key);
      if (!g) {
        const r = renderIpvs(state, { family, node });
        g = { table: r.table, helper: { has: (s, e) => r.sets.has(s, e), entriesOf: (s) => r.sets.entries.get(s) ?? [], masqueradeAll: r.masqueradeAll, detector: r.model.detector, owners: r.owners } };
        cache.set(key, g);
      }
      return traceIpvs(g.table, packet, ctx, g.helper);
    };
  }
  return undefined;
}

async function readText(file: string): Promise<string> {
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) throw new CliError(`--rules ${file}: is a directory, expected a file`);
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`--rules ${file}: ${describeFsError(e)}`);
  }
}

function parseImported<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RulesParseError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}
