/** KSD101-KSD103: Service selectors against pod labels, and workloads against their own templates. */
import type { Diagnostic, Fix, RelatedInfo } from '../diagnostics';
import type { ClusterState, ServiceModel, WorkloadModel } from '../model/types';
import { formatSelector, matchesLabelSelector } from '../selectors';
import { slicesFor } from '../endpoints/service';
import { effectiveSelector, labelSources, ownerWorkload, focusSelecting, inFocus, podsFor, selectorMatches, workloadName, type LabelSource } from './scope';
import type { Check, CheckOptions } from './types';
import { addEntry, closeEnough, diag, fix, related, replaceKey, replaceValue } from './util';

interface TermMiss {
  key: string;
  want: string;
  /** 'value': the key exists with another value; 'key': another key carries the value; 'missing'. */
  kind: 'value' | 'key' | 'missing';
  /** What the source has instead: the label key (kind key) or value (kind value). */
  have?: string;
  typo: boolean;
}

function compare(sel: Record<string, string>, labels: Record<string, string>): TermMiss[] {
  const out: TermMiss[] = [];
  for (const [key, want] of Object.entries(sel)) {
    if (labels[key] === want) continue;
    if (key in labels) {
      out.push({ key, want, kind: 'value', have: labels[key], typo: closeEnough(want, labels[key]!) });
      continue;
    }
    const near = Object.keys(labels).filter((k) => !(k in sel) && closeEnough(key, k));
    const exact = near.find((k) => labels[k] === want) ?? near[0];
    if (exact !== undefined) out.push({ key, want, kind: 'key', have: exact, typo: labels[exact] === want || closeEnough(want, labels[exact]!) });
    else out.push({ key, want, kind: 'missing', typo: false });
  }
  return out;
}

/**
 * The nearest label source: fewest misses, typos before real differences, workloads before pods. `rival` is
 * another workload just as near with different labels (then no fix is preferred).
 */
function nearest(sel: Record<string, string>, sources: LabelSource[]): { source: LabelSource; misses: TermMiss[]; rival?: LabelSource } | undefined {
  let best: { source: LabelSource; misses: TermMiss[]; score: number; rival?: LabelSource } | undefined;
  const keys = Object.keys(sel);
  const owner = (s: LabelSource) => s.workload ?? s;
  for (const source of sources) {
    const misses = compare(sel, source.labels);
    const hits = keys.length - misses.length + misses.filter((m) => m.typo).length;
    if (hits === 0) continue;
    const score = misses.filter((m) => !m.typo).length * 10 + misses.length + (source.workload && source.loaded === source.workload.loaded ? 0 : 0.5);
    if (!best || score < best.score) best = { source, misses, score };
    else if (score === best.score && owner(source) !== owner(best.source) && misses.some((m) => m.have !== undefined && source.labels[m.kind === 'key' ? m.have : m.key] !== best!.source.labels[m.kind === 'key' ? m.have : m.key])) best.rival ??= source;
  }
  return best;
}

function templateSource(state: ClusterState, w: WorkloadModel): LabelSource | undefined {
  return labelSources(state, w.namespace).find((s) => s.workload === w && s.loaded === w.loaded);
}

function termText(m: TermMiss): string {
  return `${m.key}=${m.want}`;
}

function selectorNoMatch(state: ClusterState, svc: ServiceModel, options: CheckOptions): Diagnostic | undefined {
  if (slicesFor(state, svc).length) return undefined;
  const sel = effectiveSelector(svc, options);
  if (!Object.keys(sel).length || podsFor(state, svc, options).length) return undefined;
  const o = svc.loaded;
  const tplSel = effectiveSelector(svc, options, true);
  // Only run-time labels (pod-template-hash...): templates cannot tell, so say nothing.
  if (!Object.keys(tplSel).length) return undefined;
  const sources = labelSources(state, svc.namespace);
  const elsewhere = labelSources(state).filter((s) => s.namespace !== svc.namespace && selectorMatches(tplSel, s.labels));
  const head = `Selector ${formatSelector(sel)} matches no pods or pod templates in namespace "${svc.namespace}", so the Service has no endpoints and connections to it fail.`;
  if (elsewhere.length) {
    const e = elsewhere[0]!;
    return diag(o, ['spec', 'selector'], 'warning', 'KSD101', `${head} ${e.describe} in namespace "${e.namespace}" has these labels, but a Service selects pods only in its own namespace: move the Service or the workload into one namespace.`, {
      which: 'key',
      related: related(e.loaded, e.labelsPath, `${e.describe} has the labels, in namespace "${e.namespace}"`),
    });
  }
  const near = nearest(tplSel, sources);
  if (!near) {
    return diag(o, ['spec', 'selector'], 'warning', 'KSD101', `${head} No workload or pod here carries any of these labels: check the labels in your workload's pod template (spec.template.metadata.labels).`, { which: 'key' });
  }
  const { source, misses, rival } = near;
  // A template with every label (replicas: 0, or a workload that simulates no pods): the selector is fine.
  const first = misses[0];
  if (!first) return undefined;
  const path = first.kind === 'key' ? ['spec', 'selector', first.key] : ['spec', 'selector', first.key];
  const which = first.kind === 'key' ? 'key' : 'value';
  const parts: string[] = [];
  for (const m of misses) {
    if (m.kind === 'value') parts.push(m.typo ? `did you mean ${m.key}=${m.have}? ${source.describe} labels its pods ${m.key}=${m.have}` : `${source.describe} labels its pods ${m.key}=${m.have}, not ${m.want}`);
    else if (m.kind === 'key') parts.push(m.typo ? `did you mean the key "${m.have}"? ${source.describe} labels its pods ${m.have}=${source.labels[m.have!]}, and has no label "${m.key}"` : `${source.describe} has no label "${m.key}" (it has ${m.have}=${source.labels[m.have!]})`);
    else parts.push(`${source.describe} has no label "${m.key}"`);
  }
  const fixes: Fix[] = [];
  if (misses.every((m) => m.typo)) {
    const edits = misses.flatMap((m) => {
      if (m.kind === 'value') return [replaceValue(o, ['spec', 'selector', m.key], m.have!)];
      const ek = replaceKey(o, ['spec', 'selector'], m.key, m.have!);
      const val = source.labels[m.have!]!;
      return val === m.want ? [ek] : [ek, replaceValue(o, ['spec', 'selector', m.key], val)];
    });
    const to = { ...sel };
    for (const m of misses) {
      delete to[m.key];
      const k = m.kind === 'key' ? m.have! : m.key;
      to[k] = source.labels[k]!;
    }
    fixes.push(...fix(`Change the selector to ${formatSelector(to)}`, edits, !rival));
  }
  // Adding labels to the pod template is safe for the workload's own selector; changing values it may use is not.
  const tplSource = source.workload ? templateSource(state, source.workload) : undefined;
  if (tplSource?.loaded && misses.every((m) => m.kind !== 'value')) {
    const edits = misses.map((m) => addEntry(tplSource.loaded, tplSource.labelsPath, m.key, m.want));
    fixes.push(...fix(`Add ${misses.map(termText).join(', ')} to the pod template of ${tplSource.describe}`, edits));
  }
  const rel: RelatedInfo[] = related(source.loaded, source.labelsPath, `${source.describe} labels its pods ${formatSelector(source.labels)}`);
  const also = rival ? ` ${rival.describe} (${formatSelector(rival.labels)}) is just as close.` : '';
  return diag(o, path, 'warning', 'KSD101', `${head} ${cap(parts.join('; '))}.${also}`, { which, related: rel, fixes });
}

export const selectorNoMatchCheck: Check = {
  reads: ['Pod', 'EndpointSlice'],
  code: 'KSD101',
  id: 'selector-matches-nothing',
  title: 'Service selector matches no pods',
  defaultSeverity: 'warning',
  description: 'A Service whose selector matches no pod or pod template has no endpoints; reports the nearest workload labels and typos.',
  run: (ctx, options) => focusSelecting(ctx).flatMap((s) => selectorNoMatch(ctx.state, s, options) ?? []),
};

export const selectorManyWorkloadsCheck: Check = {
  reads: ['Pod', 'Workload'],
  code: 'KSD102',
  id: 'selector-matches-several-workloads',
  title: 'Service selector matches pods of several workloads',
  defaultSeverity: 'warning',
  description: 'A selector that catches the pods of several workloads spreads traffic over all of them, often by accident.',
  run(ctx, options) {
    const out: Diagnostic[] = [];
    const selecting = focusSelecting(ctx);
    for (let at_ = 0; at_ < selecting.length; at_++) {
      const svc = selecting[at_]!;
      const owners = new Map<string, WorkloadModel>();
      for (const pod of podsFor(ctx.state, svc, options)) {
        const w = ownerWorkload(ctx.state, pod);
        if (!w) continue;
        const key = `${w.kind}/${w.name}`;
        if (!owners.has(key)) owners.set(key, w);
      }
      if (owners.size < 2) continue;
      // Described (and their templates looked up) only when reported: most Services select one workload.
      const list = [...owners.values()].map((w) => ({ describe: workloadName(w), workload: w, source: templateSource(ctx.state, w) }));
      out.push(
        diag(svc.loaded, ['spec', 'selector'], 'warning', 'KSD102', `Selector ${formatSelector(svc.selector)} matches the pods of ${list.length} workloads (${list.map((o) => o.describe).join(', ')}), so traffic is spread across all of them. If that is not intended, add a label that tells them apart to the selector.`, {
          which: 'key',
          related: list.flatMap((o) => related(o.source?.loaded, o.source?.labelsPath ?? [], `${o.describe} pods match the selector`)),
        }),
      );
    }
    return out;
  },
};

export const workloadSelectorCheck: Check = {
  reads: 'object',
  code: 'KSD103',
  id: 'workload-selector-mismatch',
  title: "Workload selector does not match its own pod template",
  defaultSeverity: 'error',
  description: 'The API server rejects a Deployment, ReplicaSet, StatefulSet, DaemonSet or ReplicationController whose selector does not match its template labels.',
  run(ctx) {
    const out: Diagnostic[] = [];
    for (const w of ctx.state.workloads) {
      if (!inFocus(ctx, w.loaded)) continue;
      if (w.kind === 'Job' || w.kind === 'CronJob' || !w.template) continue;
      const o = w.loaded;
      const labelsPath = [...w.templatePath, 'metadata', 'labels'];
      if (!w.selector || (!Object.keys(w.selector.matchLabels ?? {}).length && !(w.selector.matchExpressions ?? []).length)) {
        if (w.kind === 'ReplicationController') continue; // defaulted from the template labels
        out.push(diag(o, ['spec', 'selector'], 'error', 'KSD103', `${workloadName(w)} has no selector (or an empty one); the API server rejects it. Add spec.selector.matchLabels with the labels of its pod template (${formatSelector(w.templateLabels)}).`, { which: 'key' }));
        continue;
      }
      if (matchesLabelSelector(w.selector, w.templateLabels)) continue;
      const base = w.kind === 'ReplicationController' ? ['spec', 'selector'] : ['spec', 'selector', 'matchLabels'];
      const bad = Object.entries(w.selector.matchLabels ?? {}).find(([k, v]) => w.templateLabels[k] !== v);
      const rel = related(o, labelsPath, `the pod template labels are ${formatSelector(w.templateLabels)}`);
      if (!bad) {
        out.push(diag(o, ['spec', 'selector', 'matchExpressions'], 'error', 'KSD103', `The matchExpressions of ${workloadName(w)} do not match its own pod template labels (${formatSelector(w.templateLabels)}); the API server rejects it ("selector does not match template labels").`, { which: 'key', related: rel }));
        continue;
      }
      const [k, v] = bad;
      const have = w.templateLabels[k];
      const fixes: Fix[] = [];
      if (have !== undefined) {
        fixes.push(...fix(`Change the selector to ${k}=${have}`, [replaceValue(o, [...base, k], have)], closeEnough(v, have)));
        fixes.push(...fix(`Change the template label to ${k}=${v}`, [replaceValue(o, [...labelsPath, k], v)]));
      } else {
        fixes.push(...fix(`Add ${k}=${v} to the pod template labels`, [addEntry(o, labelsPath, k, v)], true));
      }
      const why = have !== undefined ? `the template has ${k}=${have}` : `the template has no label "${k}"`;
      out.push(diag(o, [...base, k], 'error', 'KSD103', `The selector of ${workloadName(w)} requires ${k}=${v}, but ${why}: the API server rejects it ("selector does not match template labels"). Make the selector and spec.template.metadata.labels agree.`, { related: rel, fixes }));
    }
    return out;
  },
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
