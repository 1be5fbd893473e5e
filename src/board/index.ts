export { BOARDS_DIR, BOARD_FORMAT, boardFile, listBoards, loadBoard, parseBoard, programmerCommand } from './board.js';
export type { Board, BoardLed, BoardPin, Programmer, ProgrammerMode, Rail, TiedPin } from './board.js';
export { ECP5_PARTS, findIce40Device, findPart, FPGA_FAMILIES, FPGA_PARTS, GOWIN_PARTS, ICE40_DEVICES, partCapacity, type PartCapacity, type Ecp5Part, type FpgaFamily, type FpgaPart, type GowinPart, type Ice40Device } from './devices.js';
export { parseLpf } from './lpf.js';
export { parseCst } from './cst.js';
export { parsePcf, plainPcf, plainPcfFor, type Pcf, type PcfPin } from './pcf.js';
export { BoardAbsentError, findProgrammingCable, NO_CABLE_HINT, parseScanUsb, requireBoardAttached, requirePort, sysfsRoot, sysfsUsbIds, type BoardAbsence, type CableSearch } from './presence.js';
