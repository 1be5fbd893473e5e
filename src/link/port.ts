import { SerialPort } from 'serialport';
import { UserError } from '../util/errors.js';

/**
 * The hardware boundary: a byte stream to a device. Contracts: `write` resolves once the bytes
 * are handed to the operating system; data arrives in order through the onData listener; the
 * close listener runs once, with `disconnected` true when the port went away without close().
 */
export interface BytePort {
  readonly path: string;
  write(data: Uint8Array): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: (info: { disconnected: boolean; error: Error | null }) => void): void;
  close(): Promise<void>;
  readonly isOpen: boolean;
}

/** A serial port that failed to open, classified (not by matching text later: by errno here). */
export class PortOpenError extends UserError {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'PortOpenError';
  }
}

function openMessage(path: string, e: Error): PortOpenError {
  const text = e.message;
  const code = /\b(ENOENT|EACCES|EBUSY|EPERM|ENXIO|EIO)\b/.exec(text)?.[1] ?? null;
  const next =
    code === 'ENOENT'
      ? 'check the board is plugged in and the path (ls /dev/ttyUSB* /dev/ttyACM*), or pass --port'
      : code === 'EACCES' || code === 'EPERM'
        ? 'add yourself to the dialout group (sudo usermod -aG dialout $USER, then log in again) or install the board\'s udev rules'
        : code === 'EBUSY'
          ? 'another program has the port open (a terminal, another gatebench run): close it'
          : 'check the cable and the port path';
  return new PortOpenError(`cannot open serial port ${path}: ${text.replace(/^Error:\s*/, '')}; ${next}`, code);
}

/** Open a serial port (8N1, no flow control) through serialport. */
export async function openSerialPort(path: string, baudRate: number): Promise<BytePort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false, dataBits: 8, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(openMessage(path, err)) : resolve())));
  let closedByUs = false;
  let closed = false;
  const closeListeners: ((info: { disconnected: boolean; error: Error | null }) => void)[] = [];
  let lastError: Error | null = null;
  port.on('error', (err: Error) => {
    lastError = err;
  });
  port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
    if (closed) return;
    closed = true;
    const info = { disconnected: !closedByUs || Boolean(err?.disconnected), error: err ?? lastError };
    for (const l of closeListeners) l(info);
  });
  return {
    path,
    get isOpen() {
      return !closed && port.isOpen;
    },
    write(data) {
      return new Promise((resolve, reject) => {
        port.write(Buffer.from(data), (err) => (err ? reject(err) : resolve()));
      });
    },
    onData(listener) {
      port.on('data', listener);
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    close() {
      if (closed || !port.isOpen) return Promise.resolve();
      closedByUs = true;
      return new Promise((resolve) => port.close(() => resolve()));
    },
  };
}
