"""A PyTorch Dataset over files read through Alluxio with the alluxiofs fsspec client.

    python3 alluxiofs_dataset.py --worker-hosts 127.0.0.1:28080,127.0.0.1:28180 \
        --root file:///data/train --num-workers 2 --batch-size 4

Each sample is one file of the directory as a uint8 tensor. Every DataLoader worker process opens
its own AlluxioFileSystem on first use: the client holds sockets and a background thread, which
must not be shared across the fork. Prints `SAMPLE <path> <sha256> <loader worker id>` per file
and `EPOCH files=<n> bytes=<n>` at the end (the test compares them with the UFS).
"""
import argparse
import hashlib
import os
import time

import torch
from torch.utils.data import DataLoader, Dataset, get_worker_info
from alluxiofs import AlluxioFileSystem


def _wait_for_mount_table(fs, root, attempts=20):
    """alluxiofs learns the mount table (GET /v1/ufsInfo) in a background thread, and when that
    first fetch fails (a busy worker, no timeout in the client) it goes on with an empty table:
    every later read then names no Alluxio path. Refresh until the table maps `root`."""
    updater = fs.ufs_updater
    updater.must_get_alluxio_path_from_ufs_full_path(root)  # waits for the first fetch
    for attempt in range(attempts):
        if updater.get_alluxio_path_from_ufs_full_path(root) is not None:
            return
        time.sleep(0.2 * (attempt + 1))
        updater._execute_update()  # the client's own refresh, run now instead of in 10 minutes
    raise RuntimeError(f"alluxiofs could not learn the mount table for {root} from the workers")


class AlluxioDataset(Dataset):
    def __init__(self, root, worker_hosts, worker_http_port=28080):
        self.root = root
        self.worker_hosts = worker_hosts
        self.worker_http_port = worker_http_port
        self._fs = None
        self._pid = None
        # The file list, once, in the parent: fsspec ls gives Alluxio paths; keep the UFS URIs.
        entries = self.fs.ls(root, detail=True)
        self.paths = sorted(e["ufs_path"] for e in entries if e["type"] == "file")

    @property
    def fs(self):
        if self._fs is None or self._pid != os.getpid():
            self._fs = AlluxioFileSystem(
                worker_hosts=self.worker_hosts,
                worker_http_port=self.worker_http_port,
                fallback_to_ufs_enabled=False,
            )
            self._pid = os.getpid()
            _wait_for_mount_table(self._fs, self.root)
        return self._fs

    def __getstate__(self):
        # Loader workers (spawn or fork) build their own client.
        state = dict(self.__dict__)
        state["_fs"] = None
        state["_pid"] = None
        return state

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        data = self.fs.cat_file(self.paths[i])
        info = get_worker_info()
        return {
            "path": self.paths[i],
            "data": torch.frombuffer(bytearray(data), dtype=torch.uint8),
            "loader_worker": -1 if info is None else info.id,
        }


def collate(samples):
    # Files may differ in length: keep a list instead of stacking.
    return samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker-hosts", required=True)
    ap.add_argument("--worker-http-port", type=int, default=28080)
    ap.add_argument("--root", required=True, help="a UFS directory URI under a mount, e.g. file:///data/train")
    ap.add_argument("--num-workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=4)
    args = ap.parse_args()

    ds = AlluxioDataset(args.root, args.worker_hosts, args.worker_http_port)
    loader = DataLoader(ds, batch_size=args.batch_size, num_workers=args.num_workers, collate_fn=collate, shuffle=True)
    files = 0
    total = 0
    for batch in loader:
        for s in batch:
            t = s["data"]
            files += 1
            total += t.numel()
            digest = hashlib.sha256(t.numpy().tobytes()).hexdigest()
            print(f"SAMPLE {s['path']} {digest} {s['loader_worker']}", flush=True)
    print(f"EPOCH files={files} bytes={total}", flush=True)


if __name__ == "__main__":
    main()
