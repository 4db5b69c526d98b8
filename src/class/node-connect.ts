// Connecting to a class server from Node (the CLI's teacher and members, and the tests), over `ws`.
import WebSocket from 'ws';
import { ClassConnection, type ClassSocket } from './connection';
import { LIMITS, type ToServer } from './protocol';
import { socketUrl } from './session-link';

/** Node's codes for a certificate no authority it trusts vouches for (a self-signed one, or mkcert's). */
const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/**
 * `server`: the lab's address on the class server (a link without its hash). `ca`: the certificate an
 * https server's is checked against, where it is not one the system trusts (the CLI takes
 * NODE_EXTRA_CA_CERTS instead).
 */
export async function connectNode(server: string, hello: ToServer, ca?: string | Buffer): ReturnType<typeof ClassConnection.connect> {
  const socket = new WebSocket(socketUrl(server), { perMessageDeflate: false, maxPayload: LIMITS.binaryBytes, ...(ca ? { ca } : {}) });
  // Without a listener, a failed TLS handshake or a refused connection would be thrown as uncaught.
  let failure: (Error & { code?: string }) | undefined;
  socket.on('error', (e) => { failure = e; });
  try {
    return await ClassConnection.connect(socket as unknown as ClassSocket, hello, server);
  } catch (e) {
    if (!failure) throw e;
    const hint = UNTRUSTED.has(failure.code ?? '') ? ': this machine does not trust the server\'s certificate (give it with NODE_EXTRA_CA_CERTS=<certificate file>)' : '';
    throw new Error(`could not reach the class server at ${server} (${failure.message})${hint}`);
  }
}
