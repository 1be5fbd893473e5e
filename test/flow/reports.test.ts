import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyNextpnrFailure, parseIcetime, parseRoutingProgress, routingProgressText, parseNextpnrReport, parseUtilisationLog, parseYosysStat, planIceboxVlog, worstPath } from '../../src/flow/index.js';

// Report texts in the shape yosys 0.23, nextpnr-ice40 0.4 and icetime print them.
const STAT = JSON.stringify({
  creator: 'Yosys 0.23',
  modules: { '\\top': { num_cells: 29, num_cells_by_type: { SB_CARRY: 6, SB_DFF: 13, SB_LUT4: 10 } } },
  design: { num_cells: 33, num_cells_by_type: { SB_CARRY: 6, SB_DFF: 9, SB_DFFE: 4, SB_LUT4: 12, SB_RAM40_4K: 2 } },
});

const REPORT = JSON.stringify({
  utilization: { ICESTORM_LC: { available: 5280, used: 17 }, SB_IO: { available: 96, used: 5 } },
  fmax: { 'clk$SB_IO_IN_$glb_clk': { achieved: 136.5, constraint: 12 } },
  critical_paths: [
    {
      from: 'posedge clk$SB_IO_IN_$glb_clk',
      to: 'posedge clk$SB_IO_IN_$glb_clk',
      path: [
        { type: 'clk-to-q', delay: 1.39 },
        { type: 'routing', delay: 1.76 },
        { type: 'logic', delay: 1.23 },
        { type: 'routing', delay: 1.76 },
        { type: 'logic', delay: 1.0 },
        { type: 'setup', delay: 1.18 },
      ],
    },
    { from: 'posedge clk$SB_IO_IN_$glb_clk', to: '<async>', path: [{ type: 'clk-to-q', delay: 1.39 }, { type: 'routing', delay: 17.49 }] },
  ],
});

const OVERFULL_LOG = `Info: Device utilisation:
Info: \t         ICESTORM_LC:  2169/ 1280   169%
Info: \t        ICESTORM_RAM:     0/   16     0%
Info: \t               SB_IO:     3/  112     2%

ERROR: Unable to place cell 'r_SB_DFF_Q_711_DFFLC', no BELs remaining to implement cell type 'ICESTORM_LC'
0 warnings, 1 error`;

describe('report parsers', () => {
  it('reads yosys stat -json design totals', () => {
    const s = parseYosysStat(STAT, 'ice40');
    assert.deepEqual([s.luts, s.carries, s.flipFlops, s.brams, s.totalCells], [12, 6, 13, 2, 33]);
  });

  it('reads the nextpnr report: utilisation, Fmax per clock, critical path split into logic and routing', () => {
    const r = parseNextpnrReport(REPORT);
    assert.deepEqual(r.logicCells, { used: 17, available: 5280 });
    assert.deepEqual(r.clocks, [{ net: 'clk$SB_IO_IN_$glb_clk', name: 'clk', achievedMHz: 136.5, constraintMHz: 12 }]);
    const p = worstPath(r)!;
    assert.equal(p.registerToRegister, true, 'the register-to-register path, not the slower output path');
    assert.equal(p.logicLevels, 2);
    assert.ok(Math.abs(p.logicNs - 4.8) < 1e-9);
    assert.ok(Math.abs(p.routingNs - 3.52) < 1e-9);
  });

  it('classifies an overfull device from the nextpnr log', () => {
    assert.deepEqual(parseUtilisationLog(OVERFULL_LOG).ICESTORM_LC, { used: 2169, available: 1280 });
    assert.deepEqual(classifyNextpnrFailure(OVERFULL_LOG), { kind: 'does-not-fit', cellType: 'ICESTORM_LC', used: 2169, available: 1280 });
    assert.deepEqual(classifyNextpnrFailure('Info: Routing..\nERROR: Failed to route design'), { kind: 'routing-failed' });
    assert.equal(classifyNextpnrFailure('all fine'), null);
  });

  it("reads how far router1 and router2 got from nextpnr's log (a build stopped by its budget reports it)", () => {
    const router1 = [
      'Info: Routing..',
      'Info: Setting up routing queue.',
      'Info: Routing 41133 arcs.',
      'Info:            |   (re-)routed arcs  |   delta    | remaining|       time spent     |',
      'Info:    IterCnt |  w/ripup   wo/ripup |  w/r  wo/r |      arcs| batch(sec) total(sec)|',
      'Info:       1000 |        0       1000 |    0  1000 |     40133|       0.30       0.30 |',
      'Info:     200000 |    97000     103000 |  900   100 |     23258|       9.10    2250.00 |',
    ].join('\n');
    const p1 = parseRoutingProgress(router1);
    assert.deepEqual(p1, { started: true, arcs: 41133, unroutedArcs: 23258, router2Iterations: null, overusedWires: null });
    assert.equal(routingProgressText(p1), '23,258 of 41,133 arcs unrouted');
    const router2 = ['Info: Routing globals...', 'Info: Running router2...', 'Info:     iter=1 wires=161390 overused=19876 overuse=24131 archfail=NA', 'Info:     iter=2 wires=160002 overused=8123 overuse=9000 archfail=NA'].join('\n');
    const p2 = parseRoutingProgress(router2);
    assert.deepEqual(p2, { started: true, arcs: null, unroutedArcs: null, router2Iterations: 2, overusedWires: 8123 });
    assert.equal(routingProgressText(p2), 'router2 pass 2, 8,123 wires still overused');
    assert.deepEqual(parseRoutingProgress('Info: Running main analytical placer'), { started: false, arcs: null, unroutedArcs: null, router2Iterations: null, overusedWires: null });
  });

  it("reads icetime's timing estimate", () => {
    assert.deepEqual(parseIcetime('Total number of logic levels: 3\nTotal path delay: 9.08 ns (110.12 MHz)\n// Timing estimate: 9.08 ns (110.12 MHz)\n'), { ns: 9.08, mhz: 110.12, logicLevels: 3 });
    assert.equal(parseIcetime('nothing'), null);
  });

  it('plans icebox_vlog with its stdout saved to the output file', () => {
    const p = planIceboxVlog({ asc: 'pnr.asc', out: 'chip.v', plainPcf: 'plain.pcf', package: 'sg48' });
    assert.deepEqual(p.argv, ['-s', '-c', '-p', 'plain.pcf', '-d', 'sg48', '-n', 'chip', 'pnr.asc']);
    assert.equal(p.stdoutFile, 'chip.v');
  });
});
