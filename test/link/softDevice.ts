import { crc16 } from '../../src/link/crc.js';
import { encodeFrame, FrameDecoder } from '../../src/link/frame.js';
import { openSerialPort, type BytePort } from '../../src/link/port.js';
import { CMD, inferRequestBytes, INFO_BYTES } from '../../src/link/protocol.js';
import { evaluateReference } from '../../src/model/reference.js';
import { sumBits, type DiscreteNetwork } from '../../src/model/network.js';
import { Rng } from '../../src/util/rng.js';

export { ptyPair, type PtyPair } from '../../src/link/pty.js';

export interface Faults {
  /** Probability that a request is lost (never answered). */
  dropRequest?: number;
  /** Probability that an answer has one bit flipped. */
  corruptAnswer?: number;
  /** Probability that garbage bytes go out before an answer. */
  garbage?: number;
  seed?: number;
}

/**
 * A test-side device on the far end of a pty: it speaks the device protocol (INFO, INFER by the
 * reference evaluator, ECHO) and injects faults into what it receives and sends.
 */
export class SoftDevice {
  answered = 0;
  dropped = 0;
  corrupted = 0;
  private readonly rng: Rng;
  private readonly decoder = new FrameDecoder(4096);

  private constructor(
    readonly port: BytePort,
    readonly net: DiscreteNetwork,
    readonly faults: Faults,
  ) {
    this.rng = new Rng(faults.seed ?? 1);
    port.onData((chunk) => {
      for (const f of this.decoder.push(chunk)) void this.handle(f.cmd, f.seq, f.payload);
    });
  }

  static async open(path: string, net: DiscreteNetwork, faults: Faults = {}): Promise<SoftDevice> {
    return new SoftDevice(await openSerialPort(path, 115200), net, faults);
  }

  private async handle(cmd: number, seq: number, payload: Uint8Array): Promise<void> {
    const f = this.faults;
    if (f.dropRequest && this.rng.next() < f.dropRequest) {
      this.dropped++;
      return;
    }
    let answer: Uint8Array;
    const g = { inputBits: this.net.inputBits, classes: this.net.classes, sumBits: sumBits(this.net) };
    if (cmd === CMD.INFO) {
      answer = new Uint8Array(INFO_BYTES);
      answer[0] = 1;
      answer[10] = g.inputBits & 0xff;
      answer[11] = g.inputBits >> 8;
      answer[12] = g.classes;
      answer[13] = g.sumBits;
      answer[24] = 0; // 65536-byte FIFO
      answer[25] = 0;
    } else if (cmd === CMD.INFER) {
      const n = inferRequestBytes(g);
      const bits = new Uint8Array(g.inputBits);
      for (let i = 0; i < g.inputBits; i++) bits[i] = (payload[i >> 3]! >> (i & 7)) & 1;
      const ref = evaluateReference(this.net, { count: 1, inputBits: g.inputBits, bits, labels: new Uint8Array(1) });
      const sumBytes = Math.ceil((g.classes * g.sumBits) / 8);
      answer = new Uint8Array(sumBytes + 5);
      for (let c = 0; c < g.classes; c++) for (let b = 0; b < g.sumBits; b++) if ((ref.sums[c]! >> b) & 1) answer[(c * g.sumBits + b) >> 3]! |= 1 << ((c * g.sumBits + b) & 7);
      answer[sumBytes] = ref.predictions[0]!;
      // The request CRC, as the device computes it over CMD..payload.
      const req = encodeFrame({ cmd, seq, payload });
      const crc = crc16(req, 1, req.length - 2);
      answer[sumBytes + 3] = crc & 0xff;
      answer[sumBytes + 4] = crc >> 8;
      void n;
    } else if (cmd === CMD.ECHO) {
      answer = payload;
    } else {
      answer = Uint8Array.of(3, cmd);
      cmd = 0x7f; // -> 0xFF
    }
    const bytes = encodeFrame({ cmd: cmd | 0x80, seq, payload: answer });
    if (f.corruptAnswer && this.rng.next() < f.corruptAnswer) {
      bytes[1 + this.rng.int(bytes.length - 1)]! ^= 1 << this.rng.int(8);
      this.corrupted++;
    }
    if (f.garbage && this.rng.next() < f.garbage) {
      await this.port.write(Uint8Array.from({ length: 1 + this.rng.int(8) }, () => (this.rng.next() < 0.3 ? 0xa5 : this.rng.int(256))));
    }
    this.answered++;
    await this.port.write(bytes).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.port.close();
  }
}
