/** Completion of Service selector keys and values (from known pod labels) and of targetPort names. */
import { CompletionItemKind, type CompletionItem, type InsertReplaceEdit, type TextEdit } from 'vscode-languageserver/node';
import { matchesServiceSelector, RUNTIME_LABELS, type ClusterState } from '../../core';
import { labelOwners } from './lookup';
import { blockMap, cursorContext, documentHeader, type CursorContext } from './yamlContext';

export interface CompletionOptions {
  /** The client takes InsertReplaceEdit (`textDocument.completion.completionItem.insertReplaceSupport`, LSP 3.16). */
  insertReplace?: boolean;
}

export function completions(state: ClusterState, text: string, line: number, character: number, opts: CompletionOptions = {}): CompletionItem[] {
  const ctx = cursorContext(text, line, character);
  if (!ctx) return [];
  const header = documentHeader(ctx.docLines);
  if (header.kind !== 'Service') return [];
  const namespace = header.namespace ?? 'default';
  const edit = wordEdit(ctx, line, character, opts);
  const path = ctx.path.join('.');
  const owners = labelOwners(state, namespace);
  if (path === 'spec.selector') {
    const written = blockMap(ctx.docLines, ['spec', 'selector']);
    if (ctx.mode === 'key') {
      // The key being retyped under the cursor is not "already written".
      if (ctx.colonAfter) delete written[ctx.docLines[ctx.line]!.slice(ctx.partialStart, ctx.wordEnd)];
      const keys = new Map<string, Set<string>>();
      for (const o of owners) for (const k of Object.keys(o.labels)) if (!RUNTIME_LABELS.has(k) && !(k in written)) (keys.get(k) ?? keys.set(k, new Set()).get(k)!).add(o.what);
      return [...keys].map(([k, from]) => ({ label: k, kind: CompletionItemKind.Property, detail: `label on ${[...from].slice(0, 3).join(', ')}${from.size > 3 ? ', …' : ''}`, textEdit: edit(ctx.colonAfter ? k : `${k}: `), filterText: k }));
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
    return [...values].map(([v, from]) => ({ label: v, kind: CompletionItemKind.Value, detail: from.slice(0, 3).join(', '), textEdit: edit(valueText(v, ctx)), filterText: v }));
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
          textEdit: edit(valueText(p.name, ctx)),
          filterText: p.name,
        });
      }
    }
    return [...seen.values()];
  }
  return [];
}

/**
 * The edit for a completion: it covers the whole word under the cursor (the part after the cursor too), as an
 * InsertReplaceEdit when the client takes one (insert = up to the cursor, replace = the whole word), else as a
 * plain TextEdit over the whole word.
 */
function wordEdit(ctx: CursorContext, line: number, character: number, opts: CompletionOptions): (newText: string) => TextEdit | InsertReplaceEdit {
  const start = { line, character: ctx.partialStart };
  const replace = { start, end: { line, character: ctx.wordEnd } };
  if (opts.insertReplace) return (newText) => ({ newText, insert: { start, end: { line, character } }, replace });
  return (newText) => ({ range: replace, newText });
}

/** Plain scalars YAML (1.1 or 1.2) would read as something other than a string. */
const NOT_A_STRING = /^(?:[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0[xXoObB][\da-fA-F_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|)$/;

/** A value as written into the document: inside an open quote as is, else quoted when plain YAML would not read it as a string. */
function valueText(v: string, ctx: CursorContext): string {
  return ctx.quote || !NOT_A_STRING.test(v) ? v : `"${v}"`;
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
