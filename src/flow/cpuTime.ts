import { readdirSync, readFileSync } from 'node:fs';

/** /proc counts CPU time in USER_HZ ticks, 100 a second on every Linux architecture. */
const MS_PER_TICK = 10;

/**
 * CPU time (user + system, with that of its waited-for children) used so far by the processes of
 * a process group, in ms: 0 once they are gone, null where /proc is not there to tell (not
 * Linux). A budget on this stops a tool after the same amount of work on a loaded machine as on an
 * idle one, where a wall-clock limit would stop it earlier the more other jobs share the cores.
 */
export function processGroupCpuMs(pgid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  let ticks = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // The command name (field 2) is in parentheses and may hold spaces: fields count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): pgrp is field 5, utime..cstime fields 14..17.
    if (Number(fields[2]) !== pgid) continue;
    for (const i of [11, 12, 13, 14]) ticks += Number(fields[i]);
  }
  return ticks * MS_PER_TICK;
}
