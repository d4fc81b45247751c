/**
 * Whether a process with this PID exists (signal 0). A process owned by another user (EPERM)
 * exists too.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
