/** Reads `ipvsadm -Ln` output, plus its `--stats` and `--rate` variants. */
import { RulesParseError, type RulesIssue } from '../nft/types';
import type { IpvsProtocol, IpvsTable, IpvsVirtualServer } from './types';

export const MAX_IPVS_TEXT = 64 * 1024 * 1024;

/** True when the text looks like ipvsadm output. */
export function looksLikeIpvsadm(text: string): boolean {
  const head = text.slice(0, 4096);
  return /^IP Virtual Server version/m.test(head) || /^Prot LocalAddress:Port/m.test(head) || /^\s+->\s+RemoteAddress:Port/m.test(head);
}

/** `10.0.0.1:80`, `[fd00::1]:80` (ipvsadm brackets IPv6). */
function hostPort(text: string): { address: string; port: number } | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text) ?? /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port <= 65535 ? { address: m[1]!, port } : undefined;
}

/** ipvsadm prints large counters with K/M/G suffixes in --stats and --rate. */
function counter(text: string): number | undefined {
  const m = /^(\d+)([KMGT]?)$/.exec(text);
  if (!m) return undefined;
  const mult = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as '' | 'K'];
  return Number(m[1]) * mult;
}

export function parseIpvsadm(text: string): IpvsTable {
  if (text.length > MAX_IPVS_TEXT) throw new RulesParseError(1, `input is ${text.length} characters; the limit is ${MAX_IPVS_TEXT}`);
  const issues: RulesIssue[] = [];
  const out: IpvsTable = { form: 'list', virtualServers: [], issues };
  let statCols: string[] = [];
  let current: IpvsVirtualServer | undefined;
  let sawHeader = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!.replace(/\r$/, '');
    if (!raw.trim() || raw.trimStart().startsWith('#')) continue;
    const w = raw.trim().split(/\s+/);
    const version = /^IP Virtual Server version (\S+)/.exec(raw);
    if (version) {
      out.version = version[1];
      continue;
    }
    if (w[0] === 'Prot' && w[1] === 'LocalAddress:Port') {
      sawHeader = true;
      const rest = w.slice(2);
      if (rest[0] === 'Conns') out.form = 'stats';
      else if (rest[0] === 'CPS') out.form = 'rate';
      statCols = out.form === 'list' ? [] : rest;
      continue;
    }
    if (w[0] === '->' && (w[1] === 'RemoteAddress:Port' || w.length === 2 && w[1] === 'RemoteAddress:Port')) continue;
    if (w[0] === '->') {
      if (!current) throw new RulesParseError(lineNo, 'a real server ("->") before any virtual server');
      const hp = hostPort(w[1] ?? '');
      if (!hp) throw new RulesParseError(lineNo, `real server address "${w[1] ?? ''}" is not IP:PORT (run ipvsadm with -n so addresses are numeric)`);
      if (out.form === 'list') {
        const [forward, weight, active, inact] = w.slice(2);
        if (forward === undefined || !/^\d+$/.test(weight ?? '') || !/^\d+$/.test(active ?? '') || !/^\d+$/.test(inact ?? '')) {
          throw new RulesParseError(lineNo, `expected "-> ADDR:PORT Forward Weight ActiveConn InActConn", got: ${raw.trim()}`);
        }
        current.realServers.push({ address: hp.address, port: hp.port, line: lineNo, forward, weight: Number(weight), activeConn: Number(active), inactConn: Number(inact) });
      } else current.realServers.push({ address: hp.address, port: hp.port, line: lineNo, stats: readStats(w.slice(2), statCols, lineNo, issues) });
      continue;
    }
    if (w[0] === 'TCP' || w[0] === 'UDP' || w[0] === 'SCTP' || w[0] === 'FWM') {
      sawHeader = true;
      let vs: IpvsVirtualServer;
      if (w[0] === 'FWM') {
        if (!/^\d+$/.test(w[1] ?? '')) throw new RulesParseError(lineNo, `firewall-mark service needs a number, got "${w[1] ?? ''}"`);
        vs = { protocol: 'FWM', address: '', port: 0, fwmark: Number(w[1]), flags: [], realServers: [], line: lineNo };
      } else {
        const hp = hostPort(w[1] ?? '');
        if (!hp) throw new RulesParseError(lineNo, `virtual server address "${w[1] ?? ''}" is not IP:PORT (run ipvsadm with -n so addresses are numeric)`);
        vs = { protocol: w[0] as IpvsProtocol, ...hp, flags: [], realServers: [], line: lineNo };
      }
      const rest = w.slice(2);
      if (out.form === 'list') {
        vs.scheduler = rest[0];
        for (let k = 1; k < rest.length; k++) {
          const f = rest[k]!;
          if (f === 'persistent' && /^\d+$/.test(rest[k + 1] ?? '')) vs.persistent = Number(rest[++k]);
          else if (f === 'mask' && rest[k + 1]) vs.netmask = rest[++k];
          else if (f === 'pe' && rest[k + 1]) vs.flags.push(`pe ${rest[++k]}`);
          else vs.flags.push(f);
        }
        if (!vs.scheduler) issues.push({ line: lineNo, severity: 'warning', message: 'virtual server has no scheduler column' });
      } else vs.stats = readStats(rest, statCols, lineNo, issues);
      out.virtualServers.push(vs);
      current = vs;
      continue;
    }
    throw new RulesParseError(lineNo, `not ipvsadm -Ln output: ${raw.trim()}`);
  }
  if (!sawHeader && out.virtualServers.length === 0 && !out.version) throw new RulesParseError(1, 'not ipvsadm -Ln output (no "IP Virtual Server" header and no virtual servers)');
  return out;
}

function readStats(values: string[], cols: string[], line: number, issues: RulesIssue[]): Record<string, number> {
  const stats: Record<string, number> = {};
  values.forEach((v, k) => {
    const n = counter(v);
    const col = cols[k] ?? `col${k + 1}`;
    if (n === undefined) issues.push({ line, severity: 'warning', message: `${col} value "${v}" is not a number` });
    else stats[col] = n;
  });
  return stats;
}
