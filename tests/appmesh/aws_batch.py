"""Runs several AWS CLI commands in one process, through the entry point /usr/bin/aws calls.

Each command costs the CLI's own work only, not the second of interpreter start and imports that
a process per command would (tests/appmesh/appmesh_test_util.h, AwsBatch). Reads a JSON list of
argument lists on stdin; writes a JSON list of {rc, out, err} on stdout. Run it with the Python
that /usr/bin/aws names (/usr/bin/python3), so the CLI is Debian's awscli.
"""
import contextlib
import io
import json
import os
import sys

if os.environ.get("LC_CTYPE", "") == "UTF-8":
    os.environ["LC_CTYPE"] = "en_US.UTF-8"
import awscli.clidriver  # noqa: E402


def run(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = awscli.clidriver.AWSCLIEntryPoint().main(args)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
    return {"rc": rc, "out": out.getvalue(), "err": err.getvalue()}


def main():
    results = [run(args) for args in json.load(sys.stdin)]
    json.dump(results, sys.__stdout__)


if __name__ == "__main__":
    main()
