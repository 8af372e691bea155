/** The chain-name hash (first 16 base32 characters of SHA-256) against node:crypto, at every message length around the block edges. */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { base32, endpointChain, serviceChain } from '../../src/core';
import { hashBase32Prefix16 } from '../../src/core/proxy/sha256';

const want = (text: string) => base32(new Uint8Array(createHash('sha256').update(text, 'utf8').digest())).slice(0, 16);

test('ASCII texts of every length from 0 to 300 characters hash as node:crypto does', () => {
  for (let n = 0; n <= 300; n++) {
    // Varied characters, so a word read from the wrong place would show.
    const text = Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 37 + n) % 95))).join('');
    assert.equal(hashBase32Prefix16(text), want(text), `length ${n}`);
  }
});

test('non-ASCII text is hashed as its UTF-8 bytes', () => {
  for (const text of ['é', 'ns/sv\u00e9c:http', '\u{1F600}tcp10.0.0.1:80', 'a'.repeat(60) + '\u00ff', '\u0080']) assert.equal(hashBase32Prefix16(text), want(text), text);
});

test('chain names are KUBE-SVC-/KUBE-SEP- and the hash of the port name, protocol and endpoint joined', () => {
  assert.equal(serviceChain('SVC', 'ns1/svc1:http', 'tcp'), `KUBE-SVC-${want('ns1/svc1:httptcp')}`);
  assert.equal(endpointChain('ns1/svc1:http', 'tcp', '10.128.0.10:8080'), `KUBE-SEP-${want('ns1/svc1:httptcp10.128.0.10:8080')}`);
  // A known name from the batch output (kube-proxy's own naming for this Service port and endpoint).
  assert.equal(endpointChain('ns1/svc1:http', 'tcp', '10.128.0.10:8080'), 'KUBE-SEP-NAGX6FCQDMCJEDSY');
  assert.equal(serviceChain('SVC', 'ns1/svc1:http', 'tcp'), 'KUBE-SVC-CW3AQCZPGQ5G56X3');
});
