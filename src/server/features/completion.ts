/** Completion of Service selector keys and values (from known pod labels) and of targetPort names. */
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver/node';
import { matchesServiceSelector, RUNTIME_LABELS, type ClusterState } from '../../core';
import { labelOwners } from './lookup';
import { blockMap, cursorContext, documentHeader } from './yamlContext';

export function completions(state: ClusterState, text: string, line: number, character: number): CompletionItem[] {
  const ctx = cursorContext(text, line, character);
  if (!ctx) return [];
  const header = documentHeader(ctx.docLines);
  if (header.kind !== 'Service') return [];
  const namespace = header.namespace ?? 'default';
  const range = { start: { line, character: ctx.partialStart }, end: { line, character } };
  const path = ctx.path.join('.');
  const owners = labelOwners(state, namespace);
  if (path === 'spec.selector') {
    const written = blockMap(ctx.docLines, ['spec', 'selector']);
    if (ctx.mode === 'key') {
      const keys = new Map<string, Set<string>>();
      for (const o of owners) for (const k of Object.keys(o.labels)) if (!RUNTIME_LABELS.has(k) && !(k in written)) (keys.get(k) ?? keys.set(k, new Set()).get(k)!).add(o.what);
      return [...keys].map(([k, from]) => ({ label: k, kind: CompletionItemKind.Property, detail: `label on ${[...from].slice(0, 3).join(', ')}${from.size > 3 ? ', …' : ''}`, textEdit: { range, newText: `${k}: ` }, filterText: k }));
    }
    const key = ctx.key!;
    // Prefer values that keep the rest of the selector matching something.
    const others = Object.fromEntries(Object.entries(written).filter(([k]) => k !== key));
    const values = new Map<string, string[]>();
    for (const o of owners) {
      const v = o.labels[key];
      if (v === undefined) continue;
      const rest = Object.keys(others).length === 0 || matchesServiceSelector(others, o.labels);
      const list = values.get(v) ?? [];
      list.push(o.what + (rest ? '' : ' (other selector keys differ)'));
      values.set(v, list);
    }
    return [...values].map(([v, from]) => ({ label: v, kind: CompletionItemKind.Value, detail: from.slice(0, 3).join(', '), textEdit: { range, newText: v } }));
  }
  if (path === 'spec.ports.-' && ctx.mode === 'value' && ctx.key === 'targetPort') {
    const selector = blockMap(ctx.docLines, ['spec', 'selector']);
    const protocol = portProtocol(ctx.docLines, ctx.line) ?? 'TCP';
    const seen = new Map<string, CompletionItem>();
    const pods = state.pods.filter((p) => p.namespace === namespace && matchesServiceSelector(selector, p.labels));
    for (const pod of pods) {
      for (const p of pod.ports) {
        if (!p.name || seen.has(p.name)) continue;
        const mismatch = p.protocol !== protocol;
        seen.set(p.name, {
          label: p.name,
          kind: CompletionItemKind.EnumMember,
          detail: `containerPort ${p.containerPort}/${p.protocol} in container ${p.container}${pod.owner ? ` (${pod.owner.kind} ${pod.owner.name})` : ''}`,
          documentation: mismatch ? `The Service port is ${protocol}: a named targetPort must match the container port's protocol too.` : undefined,
          sortText: (mismatch ? '1' : '0') + p.name,
          textEdit: { range, newText: p.name },
        });
      }
    }
    return [...seen.values()];
  }
  return [];
}

/** The `protocol:` of the ports item around a line, if written. */
function portProtocol(lines: readonly string[], line: number): string | undefined {
  let i = line;
  while (i > 0 && !/^\s*-\s/.test(lines[i]!)) i--;
  for (let j = i; j < lines.length; j++) {
    if (j > i && /^\s*-\s/.test(lines[j]!)) break;
    const m = /protocol:\s*(\w+)/.exec(lines[j]!);
    if (m) return m[1];
  }
  return undefined;
}
