/** Host side of the device protocol: framing, the serial transport, streaming (docs/protocol.md). */
export { crc16 } from './crc.js';
export { encodeFrame, FrameDecoder, frameBytes, FRAME_OVERHEAD, SYNC, type DecoderStats, type Frame } from './frame.js';
export { acceptInferFor, Link, LinkError, type LinkErrorFlags, type LinkOptions, type LinkStats, type RequestOptions } from './link.js';
export { openSerialPort, PortOpenError, type BytePort } from './port.js';
export { ANSWER, CMD, decodeInfer, decodeInfo, ERROR_CODES, inferAnswerBytes, inferRequestBytes, INFO_BYTES, packVector, PROTOCOL_VERSION, theoreticalVectorsPerSecond, u48 } from './protocol.js';
export type { DeviceInfo, Geometry, InferAnswer } from './protocol.js';
export { emptyAnswers, streamInfer, StreamError, type StreamAnswers, type StreamOptions, type Vectors } from './stream.js';
