# SPDX-License-Identifier: GPL-2.0-or-later
"""What the lab's Python helpers (scripts/lib/*.py) share: the --help
answer here, the QMP client in labpy.qmp."""
import sys


def handle_help(doc, argv=None):
    """On -h or --help as the first argument, print the helper's docstring
    (its usage) and leave with status 0."""
    argv = sys.argv if argv is None else argv
    if len(argv) > 1 and argv[1] in ('-h', '--help'):
        sys.stdout.write((doc or '').strip() + '\n')
        sys.exit(0)
