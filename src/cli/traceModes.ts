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
  RulesParseError,
  traceIpvs,
  traceNft,
  type ClusterState,
  type IPFamily,
  type TraceContext,
  type TraceDetail,
  type TracePacket,
} from '../core';
import { describeFsError } from '../node/loadPaths';
import { CliError } from './io';

/** Traces one packet for a node and family. */
export type ModeTracer = (state: ClusterState, node: string | undefined, family: IPFamily, packet: TracePacket, ctx: TraceContext) => TraceDetail;

/**
 * The tracer for a --rules file holding nft or ipvsadm output; undefined when the file is iptables
 * rules or there is no file (generated rules, any mode, come from src/tracing/generated.ts).
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
