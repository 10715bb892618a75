"""The ``enquiry`` console command: the Rust CLI, run in this process.

``enquiry ARGS`` and ``python -m enquiry_contract ARGS`` call ``enquiry_cli::run`` with the
arguments and exit with its status, so that the wheel's command behaves exactly as the Rust
binary, exit codes included.
"""

from __future__ import annotations

import signal
import sys
from typing import List, Optional

from . import _native


def main(argv: Optional[List[str]] = None) -> None:
    """Runs the command line (``sys.argv`` by default) and exits with its status."""
    args = sys.argv[1:] if argv is None else argv
    # Ctrl-C ends the process at once, as it ends the binary; Python's default handler would
    # only set a flag that nobody checks while Rust runs.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(_native.run_cli(["enquiry", *args]))


if __name__ == "__main__":
    main()
