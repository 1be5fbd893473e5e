import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on loopback (the OS picks; closed again before Redis binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private redis-server on loopback, without persistence (a restart comes back empty), started
 * and stopped by the test. `restart()` kills it (SIGKILL) and starts a new one on the same port.
 */
export class RedisServer {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly password: string | null,
  ) {}

  static async start(o: { password?: string } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), o.password ?? null);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://${this.password ? `:${this.password}@` : ''}127.0.0.1:${this.port}`;
  }

  private launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(this.password ? ['--requirepass', this.password] : [])];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out.slice(-500)}`)));
    });
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.removeAllListeners('exit');
    await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGKILL');
    });
    this.child = null;
  }

  /** Killed and started again, empty, on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  stop(): Promise<void> {
    return this.kill();
  }
}
