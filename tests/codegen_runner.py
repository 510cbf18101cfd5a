"""Run many generated scripts of one library in one process (tests/test_codegen.py starts it in a subprocess).

``python tests/codegen_runner.py LIBRARY JOBS.json OUT.json``: JOBS.json lists folders, each holding ``photo.png``
and the script (``script.py``, or ``command.sh`` for the command line). Each script runs in its own folder as
``__main__`` (``runpy``); a command line is split as a shell would (``shlex``) and run by ``imgkernel.cli.main``.
OUT.json gets, per folder, the error (a traceback's last lines) or null, and the run time. One process for many
scripts keeps the imports (JAX's above all) and JAX's compiled programs for every script after the first.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import shlex
import sys
import time
import traceback


def run_one(library: str, folder: str) -> str | None:
    os.chdir(folder)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            if library == "cli":
                from imgkernel.cli import main

                with open("command.sh", encoding="utf-8") as f:
                    argv = shlex.split(f.read())
                if argv[:2] != ["imgkernel", "apply"]:
                    return f"not an `imgkernel apply` command: {argv[:2]}"
                code = main(argv[1:])
                if code:
                    return f"exit code {code}: {out.getvalue()[-500:]}"
            else:
                runpy.run_path("script.py", run_name="__main__")
    except BaseException:  # noqa: BLE001 - any failure of a script is reported, then the next one runs
        return "".join(traceback.format_exc().splitlines(keepends=True)[-6:]) + out.getvalue()[-500:]
    return None


def main() -> None:
    library, jobs_path, out_path = sys.argv[1:]
    with open(jobs_path, encoding="utf-8") as f:
        folders = json.load(f)
    results = {}
    for folder in folders:
        t0 = time.perf_counter()
        error = run_one(library, folder)
        results[folder] = {"error": error, "seconds": time.perf_counter() - t0}
    # the scripts of other libraries must not lean on imgkernel (its absence is what a reader of them has)
    leaked = library not in ("imgkernel", "cli") and "imgkernel" in sys.modules
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"results": results, "imgkernel_imported": leaked}, f)


if __name__ == "__main__":
    main()
