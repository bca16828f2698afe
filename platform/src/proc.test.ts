import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { descendantsOf, isAlive, signalGroup, waitUntilDead } from './proc';

describe('descendantsOf', () => {
  it('finds children and grandchildren that left the process group, as PostgreSQL backends do', async () => {
    // The shell's child runs in a session of its own (setsid), like a backend under its postmaster.
    const shell = spawn('sh', ['-c', 'setsid sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
    try {
      const pid = shell.pid!;
      let found: number[] = [];
      for (let i = 0; i < 50 && found.length < 2; i += 1) {
        await sleep(20);
        found = descendantsOf(pid);
      }
      expect(found.length).toBeGreaterThanOrEqual(2);
      expect(found.every(isAlive)).toBe(true);
      for (const child of found) signalGroup(child, 'SIGKILL');
      expect(await waitUntilDead(found, 2_000)).toBe(true);
    } finally {
      shell.kill('SIGKILL');
    }
  });

  it('is empty for a process without children and for one that is gone', () => {
    expect(descendantsOf(2 ** 22 + 12_345)).toEqual([]);
  });
});
