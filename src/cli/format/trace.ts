/** Human-readable `ksd trace` output. */
import type { TraceDetail } from '../../core';

function pct(p: number): string {
  const v = p * 100;
  return `${Number.isInteger(v) ? v : v.toFixed(2)}%`;
}

export function formatTrace(d: TraceDetail, flow: { from: string; to: string }): string {
  const lines: string[] = [];
  lines.push(`${d.verdict}  ${flow.from} -> ${flow.to}`);
  lines.push('', d.explanation, '');
  if (d.endpoints.length) {
    lines.push('endpoints:');
    for (const e of d.endpoints) lines.push(`  ${e.ip.includes(':') ? `[${e.ip}]` : e.ip}:${e.port}  ${pct(e.probability)}`);
  }
  lines.push(`masquerade: ${d.masquerade ? 'yes' : 'no'}`, '', 'steps:');
  for (const s of d.steps) lines.push(`  ${s.table} ${s.chain}: ${s.effect}`, `      ${s.rule}`);
  if (d.warnings.length) {
    lines.push('', 'notes:');
    for (const w of d.warnings) lines.push(`  ${w}`);
  }
  return lines.join('\n') + '\n';
}
