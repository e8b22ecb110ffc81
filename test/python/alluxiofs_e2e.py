"""Drives the real alluxiofs client (fsspec/alluxiofs, unmodified) against a running cluster.

Usage: alluxiofs_e2e.py <ufs dir> <worker hosts> <page size>
Prints one line per check, `OK <name>` or `FAIL <name>: <why>`, and `NOTE <text>` for client
limitations. Mid-read kill: prints `KILL <http port>` and waits for a line on stdin (the test kills
that worker, then answers), then finishes the read. The ufs dir holds bucket/a.bin (random bytes,
several pages) and bucket/b.txt, written by the test.
"""
import io
import os
import sys
import time
import traceback

import requests
from alluxiofs import AlluxioFileSystem
from alluxiofs.core import RMOption

ufs_dir, worker_hosts, page = sys.argv[1], sys.argv[2], int(sys.argv[3])
bucket = os.path.join(ufs_dir, "bucket")
U = "file://" + bucket


def ufs(name):
    with open(os.path.join(bucket, name), "rb") as f:
        return f.read()


def check(name, fn):
    try:
        got = fn()
        if got is True:
            print(f"OK {name}", flush=True)
        else:
            print(f"FAIL {name}: {got!r}"[:400], flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is reported, the test asserts on it
        print(f"FAIL {name}: {type(e).__name__}: {e}"[:400].replace("\n", " "), flush=True)
        traceback.print_exc()


fs = AlluxioFileSystem(worker_hosts=worker_hosts, worker_http_port=28080, fallback_to_ufs_enabled=False)
ref = ufs("a.bin")
assert len(ref) > 3 * page

check("ls", lambda: sorted(fs.ls(U)) == ["/bucket/a.bin", "/bucket/b.txt"] or fs.ls(U))
check("ls detail", lambda: {e["name"]: e["size"] for e in fs.ls(U, detail=True)}["/bucket/a.bin"] == len(ref))
check("info", lambda: (lambda i: i["type"] == "file" and i["size"] == len(ref) and i["ufs_path"] == U + "/a.bin" or i)(fs.info(U + "/a.bin")))
check("info dir", lambda: fs.info(U)["type"] == "directory")
check("exists true", lambda: fs.exists(U + "/a.bin") is True)
check("exists false", lambda: fs.exists(U + "/missing.bin") is False)


def info_missing():
    try:
        fs.info(U + "/missing.bin")
        return "no error"
    except FileNotFoundError:
        return True


check("info missing is FileNotFoundError", info_missing)
check("cat_file whole", lambda: fs.cat_file(U + "/a.bin") == ref)
check("cat_file ranged across pages", lambda: fs.cat_file(U + "/a.bin", start=page - 7, end=2 * page + 9) == ref[page - 7:2 * page + 9])
check("cat_file small", lambda: fs.cat_file(U + "/b.txt") == ufs("b.txt"))


def seek_read():
    with fs.open(U + "/a.bin", "rb", block_size=page // 2) as f:
        f.seek(page - 100)
        a = f.read(300)
        f.seek(-50, 2)
        b = f.read()
        f.seek(2 * page + 1)
        c = f.read(page)
    return a == ref[page - 100:page + 200] and b == ref[-50:] and c == ref[2 * page + 1:3 * page + 1]


check("open seek read across pages", seek_read)
check("read_chunked", lambda: fs.alluxio.read_chunked(U + "/a.bin", chunk_size=page).read() == ref)
check("head", lambda: fs.alluxio.head(U + "/a.bin", page + 5) == ref[:page + 5])
check("tail", lambda: fs.alluxio.tail(U + "/a.bin", page + 5) == ref[-(page + 5):])
check("fs.tail", lambda: fs.tail(U + "/a.bin", 10) == ref[-10:])

body = os.urandom(2 * page + 321)
check("pipe_file", lambda: fs.pipe_file(U + "/w.bin", body) is True and ufs("w.bin") == body)
check("read after write", lambda: fs.cat_file(U + "/w.bin") == body)
body2 = os.urandom(page // 3)
# An overwrite must not serve the old cached pages. Read with read_chunked: fsspec-level reads
# (cat_file, open) take the size from the client's own info cache, which never expires, so after an
# overwrite they ask for the old length (a client limitation; docs/python.md).
check("overwrite then read", lambda: fs.pipe_file(U + "/w.bin", body2) is True and fs.alluxio.read_chunked(U + "/w.bin").read() == body2)


def write_pages():
    fs.alluxio.write_page(U + "/p.bin", 0, ref[:page])
    fs.alluxio.write_page(U + "/p.bin", 1, ref[page:page + 10])
    return ufs("p.bin") == ref[:page + 10]


check("write_page in order", write_pages)


def write_page_gap():
    try:
        fs.alluxio.write_page(U + "/p.bin", 5, b"x")
        return "accepted a page past the end"
    except ValueError:  # 400
        return ufs("p.bin") == ref[:page + 10]


check("write_page out of order refused", write_page_gap)
check("touch", lambda: fs.touch(U + "/t.txt") is True and ufs("t.txt") == b"")
check("mkdir", lambda: fs.mkdir(U + "/d") is True and os.path.isdir(os.path.join(bucket, "d")))
check("mv", lambda: fs.mv(U + "/w.bin", U + "/d/w2.bin") is True and not os.path.exists(os.path.join(bucket, "w.bin")) and ufs("d/w2.bin") == body2)
check("cp", lambda: fs.cp_file(U + "/a.bin", U + "/d/a2.bin") is True and ufs("d/a2.bin") == ref)
# fs.rm sends RMOption(remove_alluxio_only=True): the cache is dropped, the UFS file stays.
check("rm (alluxio only)", lambda: fs.rm(U + "/d/a2.bin") is True and ufs("d/a2.bin") == ref)
check("rm from the UFS", lambda: fs.alluxio.rm(U + "/d/a2.bin", RMOption(remove_alluxio_only=False)) is True and not os.path.exists(os.path.join(bucket, "d/a2.bin")))
check("exists after rm", lambda: fs.exists(U + "/d/a2.bin") is False)


def load():
    if fs.alluxio.submit_load(U) is not True:
        return "submit refused"
    deadline = time.time() + 60
    while time.time() < deadline:
        state, content = fs.alluxio.load_progress(U)
        if state.value == "SUCCEEDED":
            return content["filesLoaded"] == content["files"] and content["files"] >= 3 or content
        if state.value in ("FAILED", "STOPPED"):
            return content
        time.sleep(0.2)
    return "load did not finish in 60 s"


check("load submit/progress", load)


def open_wb():
    # This alluxiofs version cannot write through open(): its _open() wraps every file object in an
    # io.BufferedReader, which refuses a write-only file before any request is sent (and its
    # AlluxioFile._upload_chunk calls an fs.write() the filesystem does not have). That failure, and
    # only it, is accepted: any other error (one from our server) fails, and a client that can
    # write must leave exactly the bytes written.
    target = os.path.join(bucket, "o.bin")
    try:
        with fs.open(U + "/o.bin", "wb") as f:
            f.write(b"abc")
    except io.UnsupportedOperation as e:
        if traceback.extract_tb(e.__traceback__)[-1].name != "_open":
            return f"UnsupportedOperation from {traceback.extract_tb(e.__traceback__)[-1].name}, not the client's _open: {e}"
        if os.path.exists(target):
            return "the refused open('wb') created the file"
        print(f"NOTE open('wb') is refused inside the client (alluxiofs _open wraps it in io.BufferedReader: {e}); use pipe_file", flush=True)
        return True
    return ufs("o.bin") == b"abc"


check("open wb", open_wb)


def kill_mid_read():
    # A file whose owner is the last worker, which the test kills; reads go to the first worker's
    # S3 port (the client's fixed 29998), which forwards to the owner or serves itself.
    first, last = worker_hosts.split(",")[0], worker_hosts.split(",")[-1]
    last_port = int(last.split(":")[1])
    for i in range(200):
        name = f"k{i}.bin"
        owner = requests.get(f"http://{first}/v1/node", params={"path": f"{U}/{name}"}).json()
        if owner["HttpServerPort"] == last_port:
            break
    else:
        return "no name owned by the last worker in 200 tries"
    data = os.urandom(6 * page + 17)
    with open(os.path.join(bucket, name), "wb") as f:
        f.write(data)
    with fs.open(f"{U}/{name}", "rb", block_size=page) as f:
        part = f.read(page + 3)
        print(f"KILL {last_port}", flush=True)
        sys.stdin.readline()
        rest = f.read()
    return part + rest == data or f"{len(part + rest)} bytes, differ"


check("worker killed mid-read", kill_mid_read)
fs.close()
print("DONE", flush=True)
