"""Peers of `npm run bench -- columns`: numpy, Zarr and h5py on the same .npy files, same run.

Run with Debian's /usr/bin/python3 (python3-numpy, python3-zarr, python3-h5py). Prints one JSON
object: seconds per phase and this process's peak RSS. Usage: columns_peers.py DIR GETS
"""
import json
import resource
import sys
import time

import h5py
import numpy as np
import zarr


def main() -> None:
    folder, gets = sys.argv[1], int(sys.argv[2])
    out = {"versions": {"numpy": np.__version__, "zarr": zarr.__version__, "h5py": h5py.__version__}}

    t = time.perf_counter()
    images = np.load(f"{folder}/images.npy")
    labels = np.load(f"{folder}/labels.npy")
    out["np_load_s"] = time.perf_counter() - t
    n = images.shape[0]
    # ~4 MiB chunks, as Strata's; Zarr's default compressor (Blosc lz4).
    rows = max(1, (4 * 1024 * 1024) // images.shape[1])

    t = time.perf_counter()
    group = zarr.open_group(f"{folder}/peer.zarr", mode="w")
    group.create_dataset("images", data=images, chunks=(rows, images.shape[1]))
    group.create_dataset("labels", data=labels, chunks=(n,))
    out["zarr_write_s"] = time.perf_counter() - t

    t = time.perf_counter()
    group = zarr.open_group(f"{folder}/peer.zarr", mode="r")
    read = group["images"][:]
    read_labels = group["labels"][:]
    out["zarr_read_all_s"] = time.perf_counter() - t
    assert np.array_equal(read, images) and np.array_equal(read_labels, labels)

    t = time.perf_counter()
    with h5py.File(f"{folder}/peer.h5", "w") as f:
        f.create_dataset("images", data=images, chunks=(rows, images.shape[1]))
        f.create_dataset("labels", data=labels)
    out["h5py_write_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with h5py.File(f"{folder}/peer.h5", "r") as f:
        f["images"][:]
        f["labels"][:]
    out["h5py_read_all_s"] = time.perf_counter() - t

    t = time.perf_counter()
    mapped = np.load(f"{folder}/images.npy", mmap_mode="r")
    np.asarray(mapped).sum()
    out["numpy_memmap_read_all_s"] = time.perf_counter() - t
    keys = [(i * 7919) % n for i in range(gets)]
    for k in keys:  # warm-up pass, as Strata's gets run after its read-all
        mapped[k].copy()
    t = time.perf_counter()
    for k in keys:
        mapped[k].copy()
    out["numpy_memmap_gets_s"] = time.perf_counter() - t

    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
