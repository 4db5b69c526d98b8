// `npm run class`: builds the lab if dist/ is missing, then serves it and the session service on one port
// (HTTPS with --cert and --key), and prints the teacher's link and the join link (with a QR code to scan
// from the projector).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import QRCode from 'qrcode';
import { parseIceServers } from './ice-servers';
import type { IceServer } from './protocol';
import { startClassServer } from './server';
import { sessionLink, socketUrl } from './session-link';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(ROOT, 'dist');
const DEFAULT_PORT = 4180;

const USAGE = `usage: npm run class -- [--host [ADDRESS]] [--port N] [--cert FILE --key FILE] [--ice FILE]
  --host [ADDRESS]  serve the classroom's network: this machine's LAN address, or ADDRESS
                    (default: 127.0.0.1, this machine only)
  --port N          the port (default ${DEFAULT_PORT})
  --cert FILE       serve HTTPS with this certificate (PEM), which students' browsers need for
  --key FILE        WebGPU on a LAN address; --key is its private key (PEM)
  --ice FILE        STUN/TURN servers for the members' direct links (JSON: see docs/classroom.md)`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/** The first IPv4 address of this machine that other machines can reach. */
function lanAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const lan = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (lan) return lan.address;
  }
  return fail('no LAN address found on this machine: connect it to the classroom network, or pass --host ADDRESS');
}

function readFlagFile(flag: string, file: string | undefined): string {
  if (!file || file.startsWith('--')) fail(`${flag} needs a file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    return fail(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

interface Options {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  ice?: IceServer[];
}

function parse(argv: string[]): Options {
  let host = '127.0.0.1';
  let port = DEFAULT_PORT;
  let cert: string | undefined;
  let key: string | undefined;
  let ice: IceServer[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (flag === '--host') {
      host = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : lanAddress();
    } else if (flag === '--port') {
      port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 1 || port > 65535) fail('--port needs an integer in [1, 65535]');
    } else if (flag === '--cert') cert = readFlagFile(flag, argv[++i]);
    else if (flag === '--key') key = readFlagFile(flag, argv[++i]);
    else if (flag === '--ice') {
      const file = argv[++i];
      try {
        ice = parseIceServers(readFlagFile(flag, file), file);
      } catch (e) {
        fail((e as Error).message);
      }
    } else fail(`unknown flag "${flag}"\n${USAGE}`);
  }
  if ((cert === undefined) !== (key === undefined)) fail('--cert and --key go together: give the certificate and its private key');
  return { host, port, ...(cert !== undefined && key !== undefined ? { tls: { cert, key } } : {}), ice };
}

async function main(): Promise<void> {
  const { host, port, tls, ice } = parse(process.argv.slice(2));
  if (!existsSync(join(DIST, 'index.html'))) {
    console.log('dist/ has no built lab: building it first (npm run build)');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) fail('npm run build failed: the class server needs the built lab');
  }
  const server = await startClassServer({ root: DIST, host, port, tls, ice }).catch((e: NodeJS.ErrnoException) => fail(
    e.code === 'EADDRINUSE' ? `port ${port} is in use: pick another with --port N`
      // Errors from listening name a system call; a certificate or key that TLS cannot use does not.
      : tls && !e.syscall ? `--cert/--key: these do not make an HTTPS server (${e.message})` : `cannot listen on ${host}:${port}: ${e.message}`));
  const session = server.sessions.open(null, true);
  const joinLink = sessionLink('join', server.url, session.id, session.joinKey);
  console.log(`class server: the lab at ${server.url}, sessions at ${socketUrl(server.url)}`);
  console.log(`teacher: ${sessionLink('teach', server.url, session.id, session.teachKey)}`);
  console.log(`join: ${joinLink}`);
  console.log(await QRCode.toString(joinLink, { type: 'terminal', small: true }));
  console.log('Members open the join link (or scan the code), or from a machine with the lab: npm run train -- --join \'<join link>\' --name NAME');
  console.log('A headless teacher: npm run train -- --teach \'<teacher link>\' --members N [--preset …] [--set …]');
  if (host === '127.0.0.1' || host === 'localhost') console.log('Only this machine can reach it: npm run class -- --host serves the classroom network.');
  else if (!tls) console.log('Plain HTTP: browsers give WebGPU only to HTTPS pages on a LAN address. Serve HTTPS with --cert FILE --key FILE (docs/classroom.md).');
  if (ice) console.log(`members' direct links may use ${ice.length} STUN/TURN server${ice.length === 1 ? '' : 's'}`);
  process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
}

void main();
