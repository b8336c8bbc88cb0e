# SPDX-License-Identifier: GPL-2.0-or-later
"""The lab's one QMP client: a unix-socket connection that is retried
until QEMU has created the socket, and a synchronous command interface
(greeting, qmp_capabilities, execute; asynchronous events skipped)."""
import json
import socket
import time


def connect_unix(path, timeout):
    """A connected stream socket to @path, retried for @timeout seconds
    while the socket does not exist or refuses; None after that."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)


class Qmp:
    """A QMP session on the monitor socket @path, capabilities negotiated.
    cmd() returns a command's 'return' or raises RuntimeError with QEMU's
    error description; a closed connection raises OSError."""

    def __init__(self, path, timeout=10):
        self.sock = connect_unix(path, timeout)
        if not self.sock:
            raise OSError('no QMP socket %s after %g s' % (path, timeout))
        self.rd = self.sock.makefile('r')
        self.reply()                      # the greeting
        self.cmd('qmp_capabilities')

    def reply(self):
        while True:
            line = self.rd.readline()
            if not line:
                raise OSError('QMP connection closed')
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def cmd(self, name, **args):
        req = {'execute': name}
        if args:
            req['arguments'] = args
        self.sock.sendall(json.dumps(req).encode() + b'\n')
        msg = self.reply()
        if 'error' in msg:
            raise RuntimeError(msg['error'].get('desc', 'QMP error'))
        return msg['return']

    def close(self):
        self.rd.close()
        self.sock.close()
