/** The panel's HTML: strict CSP (default-src 'none'), one nonce'd script, local resources only. */
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export interface HtmlResources {
  cspSource: string;
  script: string;
  style: string;
  codicons: string;
  nonce: string;
}

export function panelHtml(r: HtmlResources): string {
  const csp = [`default-src 'none'`, `img-src ${r.cspSource} data:`, `style-src ${r.cspSource}`, `font-src ${r.cspSource}`, `script-src 'nonce-${r.nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${r.codicons}" rel="stylesheet">
<link href="${r.style}" rel="stylesheet">
<title>Service Debugger</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Loading...</p></main>
<script nonce="${r.nonce}" src="${r.script}"></script>
</body>
</html>`;
}
