import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BOARDS_DIR, listBoards, loadBoard, parseCst, parseLpf, parsePcf, partCapacity, programmerCommand } from '../../src/board/index.js';
import { UserError } from '../../src/util/errors.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

/** Copy a shipped board into a temp dir and let the test edit its JSON (and constraints: .pcf, .lpf or .cst); the JSON's path. */
function editedBoardFile(name: string, edit: (json: any) => void, constraintsEdit?: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatebench-board-'));
  const json = JSON.parse(readFileSync(join(BOARDS_DIR, `${name}.json`), 'utf8'));
  const constraints: string = json.pcf ?? json.lpf ?? json.cst;
  edit(json);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(json));
  const text = readFileSync(join(BOARDS_DIR, constraints), 'utf8');
  writeFileSync(join(dir, constraints), constraintsEdit ? constraintsEdit(text) : text);
  return join(dir, `${name}.json`);
}

function loadEdited(name: string, edit: (json: any) => void, constraintsEdit?: (text: string) => string): ReturnType<typeof loadBoard> {
  return loadBoard(editedBoardFile(name, edit, constraintsEdit));
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.message, /\n/, 'errors are one line');
    return true;
  });
}

describe('board files', () => {
  it('ships twelve boards in three families, each valid, with the capacities of their parts', () => {
    const boards = listBoards();
    assert.deepEqual(
      boards.map((b) => [b.name, b.fpga.family, b.device.part, b.fpga.package, b.fpga.logicCells, b.clock.mhz]),
      [
        ['ecp5-evn', 'ecp5', 'LFE5UM5G-85F', 'CABGA381', 83640, 12],
        ['ice40hx8k-breakout', 'ice40', 'iCE40HX8K', 'ct256', 7680, 12],
        ['icebreaker', 'ice40', 'iCE40UP5K', 'sg48', 5280, 12],
        ['icestick', 'ice40', 'iCE40HX1K', 'tq144', 1280, 12],
        ['tangmega138k', 'gowin', 'GW5AST-138C', 'FPG676A', 138240, 50],
        ['tangnano20k', 'gowin', 'GW2AR-18C', 'QN88', 20736, 27],
        ['tangnano9k', 'gowin', 'GW1NR-9C', 'QN88P', 8640, 27],
        ['ulx3s', 'ecp5', 'LFE5U-85F', 'CABGA381', 83640, 25],
        ['ulx3s-12f', 'ecp5', 'LFE5U-12F', 'CABGA381', 24288, 25],
        ['ulx3s-25f', 'ecp5', 'LFE5U-25F', 'CABGA381', 24288, 25],
        ['ulx3s-45f', 'ecp5', 'LFE5U-45F', 'CABGA381', 43848, 25],
        ['upduino3', 'ice40', 'iCE40UP5K', 'sg48', 5280, 12],
      ],
    );
    assert.deepEqual(
      ['icebreaker', 'tangnano9k', 'tangmega138k', 'ecp5-evn'].map((name) => partCapacity(loadBoard(name).device)),
      [
        { luts: 5280, flipFlops: 5280, brams: 30, bramKind: 'SB_RAM40_4K (4 kbit)', dsps: 8 },
        { luts: 8640, flipFlops: 6480, brams: 26, bramKind: 'BSRAM (18 kbit)', dsps: 20 },
        { luts: 138240, flipFlops: 138240, brams: 340, bramKind: 'BSRAM (18 kbit)', dsps: 298 },
        { luts: 83640, flipFlops: 83640, brams: 208, bramKind: 'DP16KD (18 kbit)', dsps: 156 },
      ],
    );
    for (const b of boards) {
      assert.equal(b.clock.port, 'clk');
      assert.equal(b.uart.rx.port, 'uart_rx');
      assert.equal(b.uart.tx.port, 'uart_tx');
      assert.ok(b.leds.length > 0 && b.leds.every((l, i) => l.port === `led[${i}]`), `${b.name}: leds are led[0..]`);
      assert.ok(b.sources.length > 0);
    }
  });

  it('describes the ULX3S variants by their own files, sharing ulx3s.lpf and its pins', () => {
    const [v85, ...variants] = ['ulx3s', 'ulx3s-12f', 'ulx3s-25f', 'ulx3s-45f'].map((name) => loadBoard(name));
    for (const v of variants) {
      assert.equal(v.constraintsFile, v85!.constraintsFile);
      assert.deepEqual([v.clock, v.uart, v.leds, v.programmer.command], [v85!.clock, v85!.uart, v85!.leds, v85!.programmer.command]);
      assert.notEqual(v.text.json, v85!.text.json, 'a build of each variant has its own cache key');
    }
    assert.deepEqual(variants.map((v) => v.device.part), ['LFE5U-12F', 'LFE5U-25F', 'LFE5U-45F']);
  });

  it('records the ECP5-5G evaluation board as prjtrellis and litex-boards have it: 12 MHz on A10, UART rx P2 / tx P3 on FT2232H channel B', () => {
    const b = loadBoard('ecp5-evn');
    assert.deepEqual([b.clock.pin, b.uart.rx.pin, b.uart.tx.pin], ['A10', 'P2', 'P3']);
    assert.deepEqual(b.leds.map((l) => l.pin), ['A13', 'A12', 'B19', 'A18', 'B18', 'C17', 'A17', 'B17']);
    assert.deepEqual(b.uart.cable, { chip: 'FT2232H', channel: 'B', usb: '0403:6010' });
    assert.equal(b.programmer.usb, '0403:6010');
    assert.deepEqual(programmerCommand(b, '/x/design.bit'), ['openFPGALoader', '-b', 'ecp5_evn', '-m', '/x/design.bit']);
    assert.ok(b.notes.some((n) => /R34\/R35/.test(n)), 'the UART needs a board change, and the file says so');
  });

  it("records the Tang Nano 9K as Sipeed's examples have it: 27 MHz on 52, UART rx 18 / tx 17, active-low LEDs 10..16", () => {
    const b = loadBoard('tangnano9k');
    assert.deepEqual([b.clock.pin, b.uart.rx.pin, b.uart.tx.pin], ['52', '18', '17']);
    assert.deepEqual(b.leds.map((l) => [l.pin, l.activeLow]), [['10', true], ['11', true], ['13', true], ['14', true], ['15', true], ['16', true]]);
    assert.deepEqual(b.uart.cable, { chip: 'BL702 (FT2232 emulation)', channel: 'B', usb: '0403:6010' });
    assert.deepEqual(programmerCommand(b, '/x/design.fs'), ['openFPGALoader', '-b', 'tangnano9k', '-m', '/x/design.fs']);
  });

  it('checks a Gowin board against its family: family, part, package, capacity and pins', () => {
    rejects(() => loadEdited('tangnano9k', (j) => (j.fpga.family = 'gw1n')), /tangnano9k\.json: field fpga\.family is "gw1n", expected "ice40" or "ecp5" or "gowin"$/);
    rejects(() => loadEdited('tangnano9k', (j) => (j.fpga.device = 'gw1n-9')), /tangnano9k\.json: field fpga\.device is "gw1n-9", expected one of gw1nr-9c, gw2ar-18c, gw5ast-138c$/);
    rejects(() => loadEdited('tangnano9k', (j) => (j.fpga.package = 'QN88')), /tangnano9k\.json: field fpga\.package is "QN88", expected a GW1NR-9C package: QN88P$/);
    rejects(() => loadEdited('tangnano9k', (j) => (j.fpga.logicCells = 9000)), /field fpga\.logicCells is 9000, expected 8640/);
    rejects(() => loadEdited('tangnano9k', () => {}, (cst) => cst.replace('IO_LOC "led[3]" 14;', '')), /tangnano9k\.json: field leds\[3\]\.port is "led\[3\]", expected a port placed in .*tangnano9k\.cst/);
    rejects(() => loadEdited('tangnano9k', (j) => (j.uart.rx.pin = '19')), /tangnano9k\.json: field uart\.rx\.pin is "19", expected "18" as in .*tangnano9k\.cst:\d+$/);
  });

  it('records the iCEBreaker as documented: 12 MHz on 35, UART rx 6 / tx 9 on FT2232H channel B', () => {
    const b = loadBoard('icebreaker');
    assert.deepEqual([b.clock.pin, b.uart.rx.pin, b.uart.tx.pin], ['35', '6', '9']);
    assert.deepEqual(b.uart.cable, { chip: 'FT2232H', channel: 'B', usb: '0403:6010' });
    assert.deepEqual(programmerCommand(b, '/x/design.bin'), ['openFPGALoader', '-b', 'ice40_generic', '/x/design.bin']);
  });

  it('records the ULX3S as its constraints file (emard/ulx3s) has it: 25 MHz on G2, UART rx M1 / tx L4 on the FT231X, SRAM by openFPGALoader -b ulx3s', () => {
    const b = loadBoard('ulx3s');
    assert.deepEqual([b.clock.pin, b.uart.rx.pin, b.uart.tx.pin], ['G2', 'M1', 'L4']);
    assert.deepEqual(b.leds.map((l) => l.pin), ['B2', 'C2', 'C1', 'D2', 'D1', 'E2', 'E1', 'H3']);
    assert.deepEqual(b.uart.cable, { chip: 'FT231X', channel: 'A', usb: '0403:6015' });
    assert.deepEqual(programmerCommand(b, '/x/design.bit'), ['openFPGALoader', '-b', 'ulx3s', '-m', '/x/design.bit']);
  });

  it('checks an ECP5 board against its family: part, package, capacity, constraints file and pins', () => {
    rejects(() => loadEdited('ulx3s', (j) => (j.fpga.family = 'virtex')), /ulx3s\.json: field fpga\.family is "virtex", expected "ice40" or "ecp5" or "gowin"$/);
    rejects(() => loadEdited('ulx3s', (j) => (j.fpga.device = 'up5k')), /ulx3s\.json: field fpga\.device is "up5k", expected one of lfe5u-12f, lfe5u-25f, lfe5u-45f, lfe5u-85f, lfe5um5g-85f/);
    rejects(() => loadEdited('ulx3s', (j) => (j.fpga.package = 'sg48')), /field fpga\.package is "sg48", expected a LFE5U-85F package: CABGA256, CABGA381/);
    rejects(() => loadEdited('ulx3s', (j) => (j.fpga.logicCells = 84000)), /field fpga\.logicCells is 84000, expected 83640/);
    rejects(() => loadEdited('ulx3s', (j) => ((j.pcf = j.lpf), delete j.lpf)), /ulx3s\.json: field lpf is missing/);
    rejects(() => loadEdited('ulx3s', (j) => (j.clock.pin = 'G3')), /field clock\.pin is "G3", expected "G2" as in .*ulx3s\.lpf:\d+/);
    rejects(() => loadEdited('ulx3s', () => {}, (lpf) => lpf.replace('LOCATE COMP "uart_tx" SITE "L4";', '')), /field uart\.tx\.port is "uart_tx", expected a port placed in .*ulx3s\.lpf/);
    rejects(() => loadEdited('ulx3s', () => {}, (lpf) => lpf + 'LOCATE COMP "clk" SITE "H2";\n'), /ulx3s\.lpf:\d+: port clk is already placed on line \d+/);
    rejects(() => loadEdited('ulx3s', () => {}, (lpf) => lpf + 'LOCATE COMPONENT "x" SITE "H2";\n'), /ulx3s\.lpf:\d+: expected LOCATE COMP "port" SITE "pin", IOBUF, FREQUENCY, BLOCK or SYSCONFIG, got 'LOCATE COMPONENT "x" SITE "H2"'/);
  });

  it('records the Tang Nano 20K as Sipeed\'s examples have it: 27 MHz on 4, UART rx 70 / tx 69, SRAM by cable and IDCODE', () => {
    const b = loadBoard('tangnano20k');
    assert.deepEqual([b.clock.pin, b.uart.rx.pin, b.uart.tx.pin], ['4', '70', '69']);
    assert.deepEqual(b.leds.map((l) => l.pin), ['15', '16', '17', '18', '19', '20']);
    assert.equal(b.programmer.board, null);
    assert.deepEqual(programmerCommand(b, '/x/design.fs'), ['openFPGALoader', '-c', 'ft2232', '-m', '/x/design.fs']);
    rejects(() => loadEdited('tangnano20k', (j) => (j.programmer.command = ['openFPGALoader', '-m', '${BIN_FILE}'])), /field programmer\.board is missing, expected an openFPGALoader board name \(-b\), or a cable \(-c\) in programmer\.command/);
    rejects(() => loadEdited('tangnano20k', (j) => (j.fpga.package = 'QN88P')), /field fpga\.package is "QN88P", expected a GW2AR-18C package: QN88$/);
    rejects(() => loadEdited('tangnano20k', () => {}, (cst) => cst + 'IO_LOCK "x" 5;\n'), /tangnano20k\.cst:\d+: expected IO_LOC "port" pin, IO_PORT or CLOCK_LOC, got 'IO_LOCK "x" 5'/);
  });

  it('records the Tang Mega 138K Pro as Sipeed\'s examples and LiteX have it: 50 MHz on P16, UART rx N16 / tx P15, its CPU pins as GPIO', () => {
    const b = loadBoard('tangmega138k');
    assert.deepEqual([b.clock.pin, b.clock.mhz, b.uart.rx.pin, b.uart.tx.pin], ['P16', 50, 'N16', 'P15']);
    assert.deepEqual(b.leds.map((l) => [l.pin, l.activeLow]), ['J14', 'R26', 'L20', 'M25', 'N21', 'N23'].map((pin) => [pin, true]));
    assert.deepEqual(b.asGpio, ['cpu']);
    assert.deepEqual(loadBoard('tangnano20k').asGpio, [], 'no asGpio in the file: none');
    assert.deepEqual(programmerCommand(b, '/x/design.fs'), ['openFPGALoader', '-c', 'ft2232', '-m', '/x/design.fs']);
    rejects(() => loadEdited('tangmega138k', (j) => (j.asGpio = ['sspi'])), /tangmega138k\.json: field asGpio\[0\] is "sspi", expected "cpu" or "mspi" or /);
    rejects(() => loadEdited('ulx3s', (j) => (j.asGpio = ['cpu'])), /ulx3s\.json: field asGpio is \["cpu"\], expected no asGpio \(Gowin boards only\)$/);
  });

  it('parses CST statements and keeps the line of each pin', () => {
    const cst = parseCst('x.cst', '// c\nIO_LOC "led[0]" 15; IO_PORT "led[0]" PULL_MODE=UP;\nIO_LOC  "clk" 4 ;\n');
    assert.deepEqual([...cst.pins.values()], [
      { port: 'led[0]', pin: '15', line: 2 },
      { port: 'clk', pin: '4', line: 3 },
    ]);
  });

  it('parses LPF statements, several to a line, and keeps the line of each pin', () => {
    const lpf = parseLpf('x.lpf', '# c\nBLOCK RESETPATHS;\nLOCATE COMP "led[0]" SITE "B2"; IOBUF PORT "led[0]" IO_TYPE=LVCMOS33; // note\nFREQUENCY PORT "clk" 25 MHZ;\nLOCATE COMP "clk" SITE "G2" ;\n');
    assert.deepEqual([...lpf.pins.values()], [
      { port: 'led[0]', pin: 'B2', line: 3 },
      { port: 'clk', pin: 'G2', line: 5 },
    ]);
  });

  it('names the file and the field that is wrong', () => {
    rejects(() => loadEdited('icebreaker', (j) => (j.fpga.device = 'up6k')), /icebreaker\.json: field fpga\.device is "up6k", expected one of hx1k, .*up5k/);
    rejects(() => loadEdited('icebreaker', (j) => (j.fpga.package = 'tq144')), /field fpga\.package is "tq144", expected a iCE40UP5K package: sg48, uwg30/);
    rejects(() => loadEdited('icebreaker', (j) => (j.fpga.logicCells = 5000)), /field fpga\.logicCells is 5000, expected 5280 \(the iCE40UP5K has 5280 logic cells\)/);
    rejects(() => loadEdited('icebreaker', (j) => delete j.uart.rx), /field uart\.rx is missing, expected an object/);
    rejects(() => loadEdited('icebreaker', (j) => (j.clock.mhz = -12)), /field clock\.mhz is -12, expected a positive number/);
    rejects(() => loadEdited('icebreaker', (j) => (j.leds[1].activeLow = 'yes')), /field leds\[1\]\.activeLow is "yes", expected true or false/);
    rejects(() => loadEdited('icebreaker', (j) => (j.uart.cable.usb = '403:6010')), /field uart\.cable\.usb is "403:6010", expected a USB id/);
    rejects(() => loadEdited('icebreaker', (j) => (j.name = 'icebreaker2')), /field name is "icebreaker2", expected "icebreaker", the file's name/);
    rejects(() => loadEdited('icebreaker', (j) => (j.sources = [])), /field sources is \[\], expected at least one source/);
  });

  it('cross-checks every pin against the pcf', () => {
    rejects(() => loadEdited('icebreaker', (j) => (j.clock.pin = '36')), /field clock\.pin is "36", expected "35" as in .*icebreaker\.pcf:\d+/);
    rejects(() => loadEdited('icebreaker', (j) => (j.leds[0].port = 'led_r')), /field leds\[0\]\.port is "led_r", expected a port placed in .*icebreaker\.pcf/);
    rejects(() => loadEdited('icebreaker', (j) => (j.uart.tx.port = 'uart_rx')), /field uart\.tx\.port is "uart_rx", which uart\.rx already uses/);
    rejects(() => loadEdited('icebreaker', (j) => (j.pcf = 'missing.pcf')), /field pcf is "missing\.pcf", expected a \.pcf file next to the board file/);
    rejects(() => loadEdited('icebreaker', () => {}, (pcf) => pcf + 'set_io -nowarn clk 20\n'), /icebreaker\.pcf:\d+: port clk is already placed on pin 35/);
    rejects(() => loadEdited('icebreaker', () => {}, (pcf) => pcf + 'set_lol foo 1\n'), /icebreaker\.pcf:\d+: expected set_io or set_frequency, got 'set_lol'/);
  });

  it('checks the programmer template', () => {
    rejects(() => loadEdited('icebreaker', (j) => (j.programmer.command = ['openFPGALoader', '-b', 'ice40_generic', '${BITSTREAM}'])), /field programmer\.command .* only the placeholder \$\{BIN_FILE\}, found \$\{BITSTREAM\}/);
    rejects(() => loadEdited('icebreaker', (j) => (j.programmer.mode = 'sram')), /field programmer\.command .*expected "-m" in the argv template \(programmer\.mode is sram\)/);
    rejects(() => loadEdited('icebreaker', (j) => (j.programmer.command = ['openFPGALoader', '-b', 'other', '${BIN_FILE}'])), /expected an argv template with "-b ice40_generic"/);
    rejects(() => loadEdited('icebreaker', (j) => (j.programmer.command = ['iceprog', '${BIN_FILE}'])), /field programmer\.command\[0\] is "iceprog", expected the programmer tool "openFPGALoader"/);
    const sram = loadEdited('icebreaker', (j) => {
      j.programmer.mode = 'sram';
      j.programmer.command = ['openFPGALoader', '-b', 'ice40_generic', '-m', '${BIN_FILE}'];
    });
    assert.deepEqual(programmerCommand(sram, 'a.bin'), ['openFPGALoader', '-b', 'ice40_generic', '-m', 'a.bin']);
  });

  it('checks the programming cable\'s USB id, against the device an iceprog command names', () => {
    assert.equal(loadBoard('icebreaker').programmer.usb, '0403:6010');
    assert.equal(loadBoard('upduino3').programmer.usb, '0403:6014');
    rejects(() => loadEdited('icebreaker', (j) => delete j.programmer.usb), /field programmer\.usb is missing, expected a string/);
    rejects(() => loadEdited('icebreaker', (j) => (j.programmer.usb = '0403-6010')), /field programmer\.usb is "0403-6010", expected a USB id like "0403:6010"/);
    rejects(() => loadEdited('upduino3', (j) => (j.programmer.usb = '0403:6010')), /field programmer\.usb is "0403:6010", expected "0403:6014", the device programmer\.command names \(i:0x0403:0x6014\)/);
  });

  it('rejects an unknown board name with the list of known ones', () => {
    rejects(() => loadBoard('icebreakr'), /unknown board 'icebreakr', expected one of: ecp5-evn, ice40hx8k-breakout, icebreaker, icestick, tangmega138k, tangnano20k, tangnano9k, ulx3s, ulx3s-12f, ulx3s-25f, ulx3s-45f, upduino3/);
  });

  it('parses pcf options and keeps the line of each pin', () => {
    const pcf = parsePcf('x.pcf', '# c\nset_io -nowarn -pullup yes btn 10 # comment\nset_frequency clk 12\nset_io clk 35\n');
    assert.deepEqual([...pcf.pins.values()], [
      { port: 'btn', pin: '10', line: 2 },
      { port: 'clk', pin: '35', line: 4 },
    ]);
  });

  it('lists the boards on the command line, as a table and as JSON', () => {
    const table = execFileSync(process.execPath, [CLI, 'boards'], { encoding: 'utf8' });
    assert.match(table, /^icebreaker\s+ice40\s+iCE40UP5K-SG48\s+5,280\s+5,280\s+30\s+12 MHz on 35\s+6\/9 \(FT2232H channel B\)\s+openFPGALoader -b ice40_generic \(flash\)\s+ok$/m);
    assert.match(table, /^ulx3s-45f\s+ecp5\s+LFE5U-45F-CABGA381\s+43,848\s+43,848\s+108\s+25 MHz on G2\s+M1\/L4 \(FT231X channel A\)\s+openFPGALoader -b ulx3s \(sram\)\s+ok$/m);
    assert.match(table, /^tangnano9k\s+gowin\s+GW1NR-9C-QN88P\s+8,640\s+6,480\s+26\s+27 MHz on 52\s+/m);
    assert.match(table, /^12 boards in 3 families; BRAMs: /m);
    const json = JSON.parse(execFileSync(process.execPath, [CLI, 'boards', '--json'], { encoding: 'utf8' }));
    assert.equal(json.boards.length, 12);
    assert.deepEqual(new Set(json.boards.map((b: { family: string }) => b.family)), new Set(['ice40', 'ecp5', 'gowin']));
    assert.deepEqual(json.boards.find((b: { name: string }) => b.name === 'icestick').logicCells, 1280);
    const bad = spawnSync(process.execPath, [CLI, 'boards', '--bogus'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  });

  it('exits 2 with one line naming the file and field for a board file with an unknown family, device or package, or a pin its constraints lack', () => {
    const cases: [string, string, RegExp][] = [
      [editedBoardFile('ulx3s-25f', (j) => (j.fpga.family = 'nexus')), 'ulx3s-25f.json', /field fpga\.family is "nexus", expected "ice40" or "ecp5" or "gowin"$/],
      [editedBoardFile('ecp5-evn', (j) => (j.fpga.device = 'lfe5u-65f')), 'ecp5-evn.json', /field fpga\.device is "lfe5u-65f", expected one of lfe5u-12f, /],
      [editedBoardFile('tangnano9k', (j) => (j.fpga.package = 'LQ144')), 'tangnano9k.json', /field fpga\.package is "LQ144", expected a GW1NR-9C package: QN88P$/],
      [editedBoardFile('ecp5-evn', () => {}, (lpf) => lpf.replace('LOCATE COMP "uart_rx" SITE "P2";', '')), 'ecp5-evn.json', /field uart\.rx\.port is "uart_rx", expected a port placed in \S*ecp5-evn\.lpf/],
    ];
    for (const [file, name, pattern] of cases) {
      const r = spawnSync(process.execPath, [CLI, 'boards', file], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(r.stderr.includes(file), `the line names ${file}: ${r.stderr}`);
      assert.match(r.stderr.trim(), pattern);
    }
  });
});
