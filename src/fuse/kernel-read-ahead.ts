import { writeFile } from 'node:fs/promises';

/**
 * Sets how far the kernel reads ahead of a sequential reader of the mount
 * (/sys/class/bdi/<major:minor>/read_ahead_kb; root only). libfuse 2 sends at most 128 KiB per
 * read and the kernel's default read-ahead is 128 KiB too, so a reader had about two reads in
 * flight and waited out every round trip through the mount; a larger window keeps more reads in
 * flight at once. Returns why it could not, or undefined when set.
 */
export async function setKernelReadAhead(device: string, bytes: number): Promise<string | undefined> {
  if (!/^\d+:\d+$/.test(device)) return `no device number for the mount (${device || 'none'})`;
  try {
    await writeFile(`/sys/class/bdi/${device}/read_ahead_kb`, String(Math.max(4, Math.floor(bytes / 1024))));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
