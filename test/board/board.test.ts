import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BOARDS_DIR, listBoards, loadBoard, parsePcf, programmerCommand } from '../../src/board/index.js';
import { UserError } from '../../src/util/errors.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

/** Copy a shipped board into a temp dir, let the test edit its JSON (and pcf), and load it. */
function loadEdited(name: string, edit: (json: any) => void, pcfEdit?: (pcf: string) => string): ReturnType<typeof loadBoard> {
  const dir = mkdtempSync(join(tmpdir(), 'gatebench-board-'));
  const json = JSON.parse(readFileSync(join(BOARDS_DIR, `${name}.json`), 'utf8'));
  edit(json);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(json));
  const pcf = readFileSync(join(BOARDS_DIR, `${name}.pcf`), 'utf8');
  writeFileSync(join(dir, `${name}.pcf`), pcfEdit ? pcfEdit(pcf) : pcf);
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
  it('ships the four boards, each valid, with the capacities of their parts', () => {
    const boards = listBoards();
    assert.deepEqual(
      boards.map((b) => [b.name, b.device.part, b.fpga.package, b.fpga.logicCells]),
      [
        ['ice40hx8k-breakout', 'iCE40HX8K', 'ct256', 7680],
        ['icebreaker', 'iCE40UP5K', 'sg48', 5280],
        ['icestick', 'iCE40HX1K', 'tq144', 1280],
        ['upduino3', 'iCE40UP5K', 'sg48', 5280],
      ],
    );
    for (const b of boards) {
      assert.equal(b.clock.port, 'clk');
      assert.equal(b.clock.mhz, 12);
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
    rejects(() => loadBoard('icebreakr'), /unknown board 'icebreakr', expected one of: ice40hx8k-breakout, icebreaker, icestick, upduino3/);
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
    assert.equal(json.boards.length, 4);
    assert.deepEqual(json.boards.find((b: { name: string }) => b.name === 'icestick').logicCells, 1280);
    const bad = spawnSync(process.execPath, [CLI, 'boards', '--bogus'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  });
});
