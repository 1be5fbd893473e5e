export { BOARDS_DIR, BOARD_FORMAT, boardFile, listBoards, loadBoard, parseBoard, programmerCommand } from './board.js';
export type { Board, BoardLed, BoardPin, Programmer, ProgrammerMode, Rail, TiedPin } from './board.js';
export { findIce40Device, ICE40_DEVICES, type Ice40Device } from './devices.js';
export { parsePcf, plainPcf, plainPcfFor, type Pcf, type PcfPin } from './pcf.js';
export { BoardAbsentError, findProgrammingCable, NO_CABLE_HINT, parseScanUsb, requireBoardAttached, requirePort, sysfsRoot, sysfsUsbIds, type BoardAbsence, type CableSearch } from './presence.js';
