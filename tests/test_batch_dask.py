"""Batches on a Dask cluster: a real scheduler and two worker processes (``LocalCluster``), one for the module.

The same per-file function runs there, so the files are byte for byte those of a local run; a worker that dies
while filtering a file costs nothing but time: Dask runs the file again on a worker that lives.
"""

from __future__ import annotations

import os
from pathlib import Path

import distributed
import pytest

from imgkernel import batch
from imgkernel.cli import main
from imgkernel.pipeline import Settings

from .test_batch import EMBOSS, SHARPEN, _files, _folder, _no_temp_files, _photo


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_the_cluster_writes_the_bytes_of_a_local_run(tmp_path, client):
    src = _folder(tmp_path)
    for fmt in ("png", "jpeg"):
        local = batch.apply_many(src, tmp_path / f"local-{fmt}", EMBOSS, Settings(), jobs=1, fmt=fmt, recursive=True)
        seen: list[int] = []

        def progress(outcome, done, total, seen=seen):
            seen.append(done)

        remote = batch.apply_many(
            src,
            tmp_path / f"dask-{fmt}",
            EMBOSS,
            Settings(),
            client=client,
            fmt=fmt,
            recursive=True,
            progress=progress,
        )
        assert local.ok and remote.ok and remote.written == 6 and seen == [1, 2, 3, 4, 5, 6]
        assert remote.where.startswith("tcp://") and remote.workers == 2
        assert _files(tmp_path / f"local-{fmt}") == _files(tmp_path / f"dask-{fmt}")
    assert [os.path.basename(o.src) for o in remote.outcomes][:2] == ["a.jpg", "a.png"]  # plan order


def test_failures_and_existing_files_are_reported_as_locally(tmp_path, client):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        _photo(size=(40, 30), seed=i).save(src / f"{i}.png")
    (src / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n cut")
    out = tmp_path / "out"
    out.mkdir()
    (out / "1.png").write_bytes(b"keep")
    summary = batch.apply_many(src, out, SHARPEN, Settings(), client=client)
    assert summary.written == 2 and not summary.ok
    assert {os.path.basename(o.src): o.code for o in summary.failed} == {
        "1.png": "batch_exists",
        "broken.png": "image_refused",
    }
    assert (out / "1.png").read_bytes() == b"keep"


class _DieOnce(distributed.WorkerPlugin):
    """Kills the worker the first time one of the batch's tasks starts on it (a marker file says "done": the
    plugin is installed again on the worker that replaces it)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish == "executing" and "_run_on_dask" in str(key) and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)


def test_a_killed_worker_loses_no_file(tmp_path, client):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(6):
        _photo(size=(120, 90), seed=i).save(src / f"{i}.jpg")
    marker = tmp_path / "killed"
    client.register_plugin(_DieOnce(str(marker)), name="die-once")
    try:
        summary = batch.apply_many(src, tmp_path / "dask", SHARPEN, Settings(), client=client, fmt="png")
    finally:
        client.unregister_worker_plugin("die-once")
    assert marker.exists()  # a worker did die, mid-batch
    assert summary.ok and summary.written == 6
    batch.apply_many(src, tmp_path / "local", SHARPEN, Settings(), jobs=1, fmt="png")
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
    _no_temp_files(tmp_path / "dask")
    client.wait_for_workers(2, timeout=30)  # the nanny has restarted it, for the next test


def test_the_command_line_runs_on_a_scheduler_address(tmp_path, client, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        _photo(size=(50, 40), seed=i).save(src / f"{i}.png")
    address = client.scheduler_info()["address"]
    code = main(
        ["apply", str(src), str(tmp_path / "dask"), "-k", "emboss", "--dask", address, "-q", "80", "--format", "webp"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"Dask at {address}" in out and "filtered 3 of 3" in out
    assert (
        main(["apply", str(src), str(tmp_path / "local"), "-k", "emboss", "-j", "1", "-q", "80", "--format", "webp"])
        == 0
    )
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
    assert sorted(_files(tmp_path / "dask")) == ["0.webp", "1.webp", "2.webp"]


def test_an_unreachable_scheduler_is_one_line(capsys, tmp_path):
    import dask

    (tmp_path / "d").mkdir()
    _photo(size=(20, 10)).save(tmp_path / "d" / "p.png")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):  # Dask's setting (default 30 s)
        code = main(["apply", str(tmp_path / "d"), str(tmp_path / "o"), "-k", "blur", "--dask", "tcp://127.0.0.1:9"])
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("imgkernel: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(err.strip().splitlines()) == 1
