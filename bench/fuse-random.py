# Random 4 KiB reads of one file for bench/fuse-read.sh: N preads at 4 KiB-aligned offsets drawn
# from a fixed seed (every mount reads the same offsets); prints the seconds they took.
#   python3 bench/fuse-random.py <file> <count>
import os
import random
import sys
import time

path, count = sys.argv[1], int(sys.argv[2])
fd = os.open(path, os.O_RDONLY)
blocks = os.fstat(fd).st_size // 4096
rng = random.Random(12)
offsets = [rng.randrange(blocks) * 4096 for _ in range(count)]
t0 = time.monotonic()
for off in offsets:
    if len(os.pread(fd, 4096, off)) != 4096:
        sys.exit(f'short read at {off}')
print(f'{time.monotonic() - t0:.3f}')
