# SPDX-License-Identifier: GPL-2.0-or-later
"""What the lab's Python helpers (scripts/lib/*.py) share: the --help
answer here, the QMP client in labpy.qmp."""
import sys


def handle_help(doc, args=None):
    """On -h or --help as the first of @args (default: the command line's
    arguments), print the helper's docstring (its usage) and leave with
    status 0."""
    args = sys.argv[1:] if args is None else args
    if args and args[0] in ('-h', '--help'):
        sys.stdout.write((doc or '').strip() + '\n')
        sys.exit(0)
