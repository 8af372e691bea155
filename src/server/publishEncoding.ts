/**
 * Encoding of the language server's outgoing messages with each published diagnostic encoded once. A
 * publishDiagnostics notification carries every diagnostic of the file (about 330 for the 2,000-object
 * file), and after a one-line edit nearly all of them are the objects published last time: their JSON is
 * kept (by object) and the message is joined from those pieces. The bytes are those JSON.stringify gives
 * for the whole message; every other message is encoded as vscode-jsonrpc encodes it.
 */
import type { ContentTypeEncoder, ContentTypeEncoderOptions, Message } from 'vscode-languageserver/node';

const PUBLISH = 'textDocument/publishDiagnostics';
/** `"diagnostics":0` cannot occur inside a JSON string (its quotes would be escaped). */
const MARK = '"diagnostics":0';
const COMMA = Buffer.from(',');

interface Publish {
  method: string;
  params: { diagnostics: unknown[] };
}

function isPublish(msg: Message): msg is Message & Publish {
  const m = msg as Partial<Publish>;
  return m.method === PUBLISH && !!m.params && typeof m.params === 'object' && Array.isArray(m.params.diagnostics);
}

/** An encoder for StreamMessageWriter: UTF-8 JSON, a publish's diagnostics from the per-object cache. */
export function publishCachingEncoder(): ContentTypeEncoder {
  const encoded = new WeakMap<object, Buffer>();
  const piece = (d: unknown): Buffer => {
    if (d === null || typeof d !== 'object') return Buffer.from(JSON.stringify(d) ?? 'null', 'utf8');
    let b = encoded.get(d);
    if (!b) encoded.set(d, (b = Buffer.from(JSON.stringify(d) ?? 'null', 'utf8')));
    return b;
  };
  return {
    name: 'application/json',
    encode(msg: Message, options: ContentTypeEncoderOptions): Promise<Uint8Array> {
      try {
        if (options.charset !== 'utf-8') return Promise.resolve(Buffer.from(JSON.stringify(msg, undefined, 0), options.charset));
        if (!isPublish(msg)) return Promise.resolve(Buffer.from(JSON.stringify(msg, undefined, 0), 'utf8'));
        const outer = JSON.stringify({ ...msg, params: { ...msg.params, diagnostics: 0 } });
        const at = outer.indexOf(MARK);
        const parts: Buffer[] = [Buffer.from(`${outer.slice(0, at)}"diagnostics":[`, 'utf8')];
        msg.params.diagnostics.forEach((d, i) => {
          if (i) parts.push(COMMA);
          parts.push(piece(d));
        });
        parts.push(Buffer.from(`]${outer.slice(at + MARK.length)}`, 'utf8'));
        return Promise.resolve(Buffer.concat(parts));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
  };
}
