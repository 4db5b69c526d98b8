// Connecting to a class server from Node (the CLI's teacher and members, and the tests), over `ws`.
import WebSocket from 'ws';
import { ClassConnection, type ClassSocket } from './connection';
import { LIMITS, type ToServer } from './protocol';
import { socketUrl } from './session-link';

/** `server`: the lab's address on the class server (a link without its hash). */
export function connectNode(server: string, hello: ToServer): ReturnType<typeof ClassConnection.connect> {
  const socket = new WebSocket(socketUrl(server), { perMessageDeflate: false, maxPayload: LIMITS.binaryBytes });
  return ClassConnection.connect(socket as unknown as ClassSocket, hello, server);
}
