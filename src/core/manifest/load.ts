import type { Diagnostic, Severity } from '../diagnostics';
import { LineIndex } from '../yaml/lineIndex';
import type { YNode } from '../yaml/nodes';
import { fastParseDocument } from '../yaml/fastScan';
import { DEFAULT_YAML_LIMITS, parseYaml, reparseDocument, type YamlLimits } from '../yaml/parse';
import { lazySource, type ObjectSource, type ScannedText } from './source';
import { isWorkloadKind, TEMPLATE_PATHS } from '../model/templatePaths';

/** A Kubernetes object read from a manifest, with where it came from. */
export interface LoadedObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace as written (undefined when omitted). */
  namespace: string | undefined;
  object: Record<string, unknown>;
  source?: ObjectSource;
  /**
   * A fragment rather than a whole object (kustomize patch, or required fields missing): never part of
   * the cluster state, never checked.
   */
  partial: boolean;
}

export interface ManifestFile {
  file: string;
  index: LineIndex;
  objects: LoadedObject[];
  /** Load problems: syntax errors, limits, skipped files. */
  diagnostics: Diagnostic[];
  /** Set when the whole file was skipped, with the reason. */
  skipped?: 'helm-template' | 'too-large' | 'not-a-manifest';
}

export interface LoadOptions {
  maxBytes: number;
  limits: YamlLimits;
  /** Treat every object in the file as a fragment (kustomize patches). */
  partial?: boolean;
  /** The text is one document as splitDocuments cut it from a stream (see ParseOptions.oneDocument). */
  oneDocument?: boolean;
  /**
   * The line index the objects' sources get, for a text cut out of a larger file (an index of this same
   * text whose positions are the file's): the loader need not re-home every source afterwards. Load
   * diagnostics stay relative to the text.
   */
  sourceIndex?: LineIndex;
}
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOAD_OPTIONS: LoadOptions = { maxBytes: DEFAULT_MAX_BYTES, limits: DEFAULT_YAML_LIMITS };

/** The result for a file over the size limit (its text need not be read at all). */
export function tooLargeManifest(file: string, size: number, maxBytes: number): ManifestFile {
  const index = new LineIndex('');
  return {
    file,
    index,
    objects: [],
    skipped: 'too-large',
    diagnostics: [{ file, range: index.range(0, 0), severity: 'info', code: 'KSD002', message: `File skipped: ${formatBytes(size)} is over the ${formatBytes(maxBytes)} limit for manifests.` }],
  };
}

/** Go template actions as Helm charts write them. Plain `{{` inside a quoted string is not enough. */
const HELM_ACTION = /\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|\.Files|\$|include\b|template\b|toYaml\b|tpl\b|if\b|else\b|end\b|range\b|with\b|define\b|default\b|required\b|-)|^\s*\{\{|:\s+\{\{/m;

export function isHelmTemplate(text: string): boolean {
  return text.includes('{{') && HELM_ACTION.test(text);
}

export function loadManifest(file: string, text: string, options: Partial<LoadOptions> = {}): ManifestFile {
  // Field by field, not a spread of both (the language server loads each document of a file on its own);
  // `satisfies` fails the build when LoadOptions grows a field not copied here.
  const opts = { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, limits: options.limits ?? DEFAULT_YAML_LIMITS, partial: options.partial, oneDocument: options.oneDocument, sourceIndex: options.sourceIndex } satisfies Record<keyof LoadOptions, unknown>;
  const index = new LineIndex(text.length > opts.maxBytes ? '' : text);
  const out: ManifestFile = { file, index, objects: [], diagnostics: [] };
  const diag = (severity: Severity, code: string, message: string, start = 0, end = 0) =>
    out.diagnostics.push({ file, range: index.range(start, end), severity, code, message });
  if (text.length > opts.maxBytes) return tooLargeManifest(file, text.length, opts.maxBytes);
  if (isHelmTemplate(text)) {
    out.skipped = 'helm-template';
    diag('info', 'KSD003', 'Helm template skipped: it contains {{ }} template actions, so it is checked only once rendered (helm template ... | ksd check -).');
    return out;
  }
  const parsed = parseYaml(text, opts.limits, { trees: false, oneDocument: !!opts.oneDocument });
  const at: SourceAt = { file, index: opts.sourceIndex ?? index };
  for (const e of parsed.errors) diag('error', 'KSD001', e.message, e.offset, e.end);
  for (const w of parsed.warnings) diag('warning', 'KSD004', `YAML ${w.message}.`, w.offset, w.end);
  for (const doc of parsed.documents) {
    if (doc.root) {
      // js-yaml's tree is kept only for Lists (their items are found by walking it) and documents with
      // anchors (aliases share nodes); for the rest it is rebuilt from the text when a position is asked for,
      // as for the fast path's documents: keeping every tree costs more memory than the objects themselves.
      if (isRecord(doc.value) && !isList(doc.value) && !hasAmpersand(text, doc.start, doc.end)) {
        collect(out, at, undefined, doc.value, !!opts.partial, rebuilder(text, doc.start, doc.end, opts.limits, false, doc.root.start));
      } else collect(out, at, doc.root, doc.value, !!opts.partial);
      continue;
    }
    if (!doc.fast) continue;
    // A fast-path document comes without a tree: the scanner builds it when a position is asked for.
    // Lists need theirs now (their items are found by walking it).
    const build = rebuilder(text, doc.start, doc.end, opts.limits, true, doc.start);
    if (isList(doc.value)) collect(out, at, build(), doc.value, !!opts.partial);
    else if (isRecord(doc.value)) collect(out, at, undefined, doc.value, !!opts.partial, build, doc.span, { text, start: doc.start, end: doc.end });
  }
  return out;
}

/**
 * Rebuilds a document's tree as loading first built it: the fast scanner for its documents, js-yaml for the
 * rest (and, should the scanner ever decline, for those too). Captures only the text and numbers, never the
 * first tree.
 */
function rebuilder(text: string, start: number, end: number, limits: YamlLimits, fast: boolean, rootStart: number): () => YNode {
  return () => (fast ? fastParseDocument(text, start, end, limits.maxDepth) : undefined) ?? reparseDocument(text, start, end, limits) ?? { kind: 'map', start: rootStart, end: rootStart, pairs: [] };
}

function hasAmpersand(text: string, start: number, end: number): boolean {
  const at = text.indexOf('&', start);
  return at >= 0 && at < end;
}

function isList(value: unknown): boolean {
  // `items` first: most documents have none, and the kind's suffix is then never looked at.
  return isRecord(value) && Array.isArray(value['items']) && typeof value['kind'] === 'string' && value['kind'].endsWith('List');
}

/** The file and line index the sources of a load's objects name. */
interface SourceAt {
  file: string;
  index: LineIndex;
}

/**
 * Collects the object(s) of a document; `node` is its tree, or undefined with `rebuild` to build it later
 * (and `span`, where that tree will start and end, when known; `scanned`, the text the fast scanner read it
 * from, when that scanner builds the tree).
 */
function collect(out: ManifestFile, at: SourceAt, node: YNode | undefined, value: unknown, partial: boolean, rebuild?: () => YNode, span?: { start: number; end: number }, scanned?: ScannedText): void {
  if (!isRecord(value) || (node && node.kind !== 'map')) return;
  const kind = value['kind'];
  const apiVersion = value['apiVersion'];
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') return;
  if (Array.isArray(value['items']) && kind.endsWith('List')) {
    if (!node || node.kind !== 'map') return;
    const itemsPair = node.pairs.find((p) => p.key.kind === 'scalar' && p.key.value === 'items');
    const items = value['items'] as unknown[];
    if (itemsPair && itemsPair.value.kind === 'seq') {
      items.forEach((item, i) => {
        const n = (itemsPair.value as { items: YNode[] }).items[i];
        if (n) collect(out, at, n, item, partial);
      });
    }
    return;
  }
  const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : typeof metadata['name'] === 'number' ? String(metadata['name']) : '';
  const ns = metadata['namespace'];
  const obj: LoadedObject = {
    apiVersion,
    kind,
    name,
    namespace: typeof ns === 'string' && ns !== '' ? ns : undefined,
    object: value,
    source: node ? { file: at.file, node, index: at.index } : rebuild ? lazySource(at.file, at.index, rebuild, span, scanned) : undefined,
    partial: partial || isFragment(kind, value, name, metadata),
  };
  out.objects.push(obj);
}

/** Configuration kinds read from files (kube-proxy --config), never stored by the API server. */
const COMPONENT_CONFIG_KINDS = new Set(['KubeProxyConfiguration', 'KubeletConfiguration']);

/** Objects missing what the API server requires are patches or fragments, not objects to check. */
function isFragment(kind: string, value: Record<string, unknown>, name: string, metadata: Record<string, unknown>): boolean {
  // Component configurations are files, not API objects: they have no metadata at all.
  if (!name && typeof metadata['generateName'] !== 'string' && !COMPONENT_CONFIG_KINDS.has(kind)) return true;
  if (kind === 'Service') {
    const spec = value['spec'];
    if (!isRecord(spec)) return true;
    if (spec['type'] !== 'ExternalName' && !Array.isArray(spec['ports']) && spec['clusterIP'] !== 'None') return true;
  }
  if (isWorkloadKind(kind)) {
    const tpl = TEMPLATE_PATHS[kind];
    let cur: unknown = value;
    for (const k of tpl) cur = isRecord(cur) ? cur[k] : undefined;
    if (!isRecord(cur)) return true;
  }
  if (kind === 'Pod' && !isRecord(value['spec'])) return true;
  return false;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
