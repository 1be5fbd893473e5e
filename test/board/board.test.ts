import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BOARDS_DIR, listBoards, loadBoard, parseCst, parseLpf, parsePcf, programmerCommand } from '../../src/board/index.js';
import { UserError } from '../../src/util/errors.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

/** Copy a shipped board into a temp dir, let the test edit its JSON (and constraints: .pcf or .lpf), and load it. */
function loadEdited(name: string, edit: (json: any) => void, constraintsEdit?: (text: string) => string): ReturnType<typeof loadBoard> {
  const dir = mkdtempSync(join(tmpdir(), 'gatebench-board-'));
  const json = JSON.parse(readFileSync(join(BOARDS_DIR, `${name}.json`), 'utf8'));
  const constraints: string = json.pcf ?? json.lpf ?? json.cst;
  edit(json);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(json));
  const text = readFileSync(join(BOARDS_DIR, constraints), 'utf8');
  writeFileSync(join(dir, constraints), constraintsEdit ? constraintsEdit(text) : text);
  return loadBoard(join(dir, `${name}.json`));
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
  it('ships the six boards in three families, each valid, with the capacities of their parts', () => {
    const boards = listBoards();
    assert.deepEqual(
      boards.map((b) => [b.name, b.fpga.family, b.device.part, b.fpga.package, b.fpga.logicCells]),
      [
        ['ice40hx8k-breakout', 'ice40', 'iCE40HX8K', 'ct256', 7680],
        ['icebreaker', 'ice40', 'iCE40UP5K', 'sg48', 5280],
        ['icestick', 'ice40', 'iCE40HX1K', 'tq144', 1280],
        ['tangnano20k', 'gowin', 'GW2AR-18C', 'QN88', 20736],
        ['ulx3s', 'ecp5', 'LFE5U-85F', 'CABGA381', 83640],
        ['upduino3', 'ice40', 'iCE40UP5K', 'sg48', 5280],
      ],
    );
    for (const b of boards) {
      assert.equal(b.clock.port, 'clk');
      assert.equal(b.clock.mhz, { ice40: 12, ecp5: 25, gowin: 27 }[b.fpga.family]);
      assert.equal(b.uart.rx.port, 'uart_rx');
      assert.equal(b.uart.tx.port, 'uart_tx');
      assert.ok(b.leds.length > 0 && b.leds.every((l, i) => l.port === `led[${i}]`), `${b.name}: leds are led[0..]`);
      assert.ok(b.sources.length > 0);
    }
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
    rejects(() => loadBoard('icebreakr'), /unknown board 'icebreakr', expected one of: ice40hx8k-breakout, icebreaker, icestick, tangnano20k, ulx3s, upduino3/);
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
    assert.match(table, /icebreaker\s+iCE40UP5K-SG48\s+5,280\s+12 MHz on 35\s+6\/9 \(FT2232H channel B\)\s+openFPGALoader -b ice40_generic \(flash\)/);
    const json = JSON.parse(execFileSync(process.execPath, [CLI, 'boards', '--json'], { encoding: 'utf8' }));
    assert.equal(json.boards.length, 6);
    assert.deepEqual(json.boards.find((b: { name: string }) => b.name === 'icestick').logicCells, 1280);
    const bad = spawnSync(process.execPath, [CLI, 'boards', '--bogus'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  });
});
