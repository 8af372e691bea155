import type { V1LabelSelector } from './model/k8s';

export type Labels = Readonly<Record<string, string>>;

/*
 * Selectors are matched for every pod and Service of a first analysis before V8 optimises these: indexed
 * loops, since a for-of or Object.entries there allocates per element.
 */

/** A Service selector: every key must be present with an equal value. Empty or missing selects nothing. */
export function matchesServiceSelector(selector: Labels | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  for (let i = 0; i < keys.length; i++) if (labels[keys[i]!] !== selector[keys[i]!]) return false;
  return true;
}

/**
 * A LabelSelector (matchLabels + matchExpressions). As in apimachinery's LabelSelectorAsSelector:
 * a nil selector matches nothing, an empty one matches everything.
 */
export function matchesLabelSelector(selector: V1LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  // An invalid requirement makes LabelSelectorAsSelector fail, and a selector that fails matches nothing.
  if (!labelSelectorValid(selector)) return false;
  const match = selector.matchLabels;
  if (match) {
    const keys = Object.keys(match);
    for (let i = 0; i < keys.length; i++) if (labels[keys[i]!] !== String(match[keys[i]!])) return false;
  }
  const exprs = selector.matchExpressions ?? [];
  for (let i = 0; i < exprs.length; i++) {
    const req = exprs[i]!;
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = (req.values ?? []).map(String);
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * labels.NewRequirement's rules: In/NotIn need at least one value, Exists/DoesNotExist none, and the
 * operator is one of those four (case matters).
 */
export function labelSelectorValid(selector: V1LabelSelector): boolean {
  const exprs = selector.matchExpressions ?? [];
  for (let i = 0; i < exprs.length; i++) {
    const req = exprs[i]!;
    const n = req.values?.length ?? 0;
    if (!req.key) return false;
    if ((req.operator === 'In' || req.operator === 'NotIn') && n === 0) return false;
    else if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && n > 0) return false;
    else if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(req.operator)) return false;
  }
  return true;
}

/** The first selector term a label set fails, for messages ("app=web: the pod has app=webb"). */
export function firstMismatch(selector: Labels, labels: Labels): { key: string; want: string; have: string | undefined } | undefined {
  for (const [key, want] of Object.entries(selector)) if (labels[key] !== want) return { key, want, have: labels[key] };
  return undefined;
}

export function formatSelector(selector: Labels | undefined): string {
  if (!selector || Object.keys(selector).length === 0) return '<none>';
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Labels Kubernetes itself adds to pods at run time; never expect them in templates. */
export const RUNTIME_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'pod-template-generation',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-name',
  'controller-uid',
  'job-name',
  'batch.kubernetes.io/job-completion-index',
]);
