/** `ksd trace --rules FILE` for a node's real `nft list ruleset` / `ipvsadm -Ln` output (format detected). */
import { detectNftForm, looksLikeIpvsadm, RulesParseError, stripPasted } from '../core';
import { dumpTracer, parseDump } from '../tracing/importedRules';
import type { GeneratedTracer } from '../tracing/generated';
import { readInputFile } from './inputFile';
import { CliError } from './io';

/** Traces one packet for a node and family (the same shape as a tracer over generated rules). */
export type ModeTracer = GeneratedTracer;

/**
 * The tracer for a --rules file holding nft or ipvsadm output; undefined when the file is iptables
 * rules or there is no file (generated rules, any mode, come from src/tracing/generated.ts).
 */
export async function modeTracer(mode: string, rulesFile: string | undefined): Promise<ModeTracer | undefined> {
  if (rulesFile) {
    const text = stripPasted(await readText(rulesFile));
    if (detectNftForm(text)) {
      if (mode === 'ipvs') throw new CliError(`--rules ${rulesFile} holds nftables rules, not ipvsadm output (drop --mode ipvs)`);
      const run = dumpTracer(parseImported(rulesFile, () => parseDump(text)));
      return (_s, _n, _f, packet, ctx) => run(packet, ctx);
    }
    if (looksLikeIpvsadm(text)) {
      if (mode === 'nftables') throw new CliError(`--rules ${rulesFile} holds ipvsadm output, not nftables rules (drop --mode nftables)`);
      const run = dumpTracer(parseImported(rulesFile, () => parseDump(text)));
      return (_s, _n, _f, packet, ctx) => run(packet, ctx);
    }
    if (mode !== 'iptables') throw new CliError(`--rules ${rulesFile}: expected ${mode === 'nftables' ? '`nft list ruleset` output or an nft transaction' : '`ipvsadm -Ln` output'} for --mode ${mode}`);
    return undefined;
  }
  return undefined;
}

function readText(file: string): Promise<string> {
  return readInputFile('rules', file);
}

function parseImported<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RulesParseError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}
