/** Failures of a live source, with a code views and the CLI can act on. */
export type LiveErrorCode =
  | 'no-kubeconfig'
  | 'bad-kubeconfig'
  | 'no-context'
  | 'untrusted'
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'gone'
  | 'not-found'
  | 'timeout'
  | 'http'
  | 'bad-response';

export class LiveError extends Error {
  constructor(
    readonly code: LiveErrorCode,
    message: string,
    /** HTTP status when the API server answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LiveError';
  }
}

/** A Kubernetes `Status` object (the body of every API error and of watch ERROR events). */
export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

export function errorFromStatus(httpStatus: number, body: ApiStatus | undefined, what: string): LiveError {
  const code = body?.code ?? httpStatus;
  const detail = body?.message ? `: ${body.message}` : '';
  if (code === 401) return new LiveError('unauthorized', `${what}: the API server rejected our credentials (401 Unauthorized)${detail}`, code);
  if (code === 403) return new LiveError('forbidden', `${what}: forbidden by RBAC (403)${detail}`, code);
  if (code === 404) return new LiveError('not-found', `${what}: not found (404)${detail}`, code);
  if (code === 410) return new LiveError('gone', `${what}: resourceVersion expired (410 Gone)${detail}`, code);
  if (code === 504 || body?.reason === 'Timeout') return new LiveError('timeout', `${what}: the API server timed out${detail}`, code);
  return new LiveError('http', `${what}: HTTP ${httpStatus}${body?.reason ? ` ${body.reason}` : ''}${detail}`, code);
}

/** Turns a network failure (connection refused, reset, DNS) into a LiveError. */
export function errorFromNetwork(e: unknown, what: string): LiveError {
  if (e instanceof LiveError) return e;
  const err = e as { code?: string; message?: string; statusCode?: number } | undefined;
  if (typeof err?.statusCode === 'number') return errorFromStatus(err.statusCode, undefined, what);
  const code = err?.code ?? '';
  const text = err?.message ?? String(e);
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket hang up/i.test(code + ' ' + text)) {
    return new LiveError('unreachable', `${what}: cannot reach the API server (${code || text})`);
  }
  const tls = tlsProblem(code, text);
  if (tls) return new LiveError('unreachable', `${what}: TLS: ${tls}`);
  if (/ETIMEDOUT|timeout/i.test(code + ' ' + text)) return new LiveError('timeout', `${what}: the API server did not answer in time`);
  return new LiveError('unreachable', `${what}: ${text}`);
}

/** TLS failures in words: which side's certificate is the problem and what to check in the kubeconfig. */
function tlsProblem(code: string, text: string): string | undefined {
  if (/certificate required|alert number 116/i.test(text)) return 'the API server requires a client certificate and none was sent (client-certificate-data / client-key-data in the kubeconfig user)';
  if (/bad certificate|unknown ca|alert number 4[28]/i.test(text)) return 'the API server refused our client certificate (not signed by a CA it trusts?)';
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|self[- ]signed certificate|unable to verify/i.test(code + ' ' + text)) {
    return `the API server's certificate is not signed by the kubeconfig's certificate-authority(-data) (${code || text})`;
  }
  if (/CERT_HAS_EXPIRED|certificate has expired/i.test(code + ' ' + text)) return "the API server's certificate has expired";
  if (/ERR_TLS_CERT_ALTNAME_INVALID|altnames/i.test(code + ' ' + text)) return `the API server's certificate does not name this address (${text})`;
  return undefined;
}
