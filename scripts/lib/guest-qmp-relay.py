#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Relay between a guest serial port and a QMP monitor of the same QEMU.

scripts/run-guest --guest-qmp gives the guest a second serial port
(/dev/ttyS1) whose chardev is a listening unix socket, and QEMU a second
QMP monitor on another unix socket; this relay joins the two, so a guest
program can speak QMP on /dev/ttyS1 (tests/guest/lab_qmp.h).

Guest -> QMP is line based. A line "LAB-QMP-CONNECT" starts a session: the
relay drops its QMP connection, if any, and opens a new one, whose
greeting then reaches the guest, which goes on with qmp_capabilities.
Every other non-empty line is passed to the current session (a session is
opened first if there is none). QMP -> guest is passed through as it
comes: replies, the greeting and asynchronous events.

The relay leaves when QEMU closes the serial socket (QEMU exited), when
its parent (run-guest) dies, or when QEMU's serial socket does not appear
within --connect-timeout seconds. A guest that never uses the port costs
nothing: the relay just waits for QEMU to exit.

usage: guest-qmp-relay.py [--parent=PID] [--connect-timeout=S]
                          SERIAL_SOCKET QMP_SOCKET
"""
import ctypes
import os
import select
import signal
import sys

import labpy
from labpy.qmp import connect_unix

CONNECT_LINE = b'LAB-QMP-CONNECT'
MAX_LINE = 1 << 16
PR_SET_PDEATHSIG = 1


def log(msg):
    sys.stderr.write('guest-qmp-relay: %s\n' % msg)
    sys.stderr.flush()


def die_with_parent(parent):
    """SIGTERM when the parent dies; leave now if it is already gone."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if parent and os.getppid() != parent:
        sys.exit(0)


class Relay:
    def __init__(self, serial, qmp_path):
        self.serial = serial
        self.qmp_path = qmp_path
        self.qmp = None
        self.line = b''

    def qmp_close(self):
        if self.qmp:
            self.qmp.close()
            self.qmp = None

    def qmp_open(self):
        self.qmp_close()
        self.qmp = connect_unix(self.qmp_path, 5)
        if not self.qmp:
            log('cannot connect to QMP socket %s' % self.qmp_path)

    def from_guest(self, data):
        self.line += data
        while b'\n' in self.line:
            line, self.line = self.line.split(b'\n', 1)
            line = line.rstrip(b'\r')
            if line.strip() == CONNECT_LINE:
                self.qmp_open()
            elif line.strip():
                if not self.qmp:
                    self.qmp_open()
                if self.qmp:
                    try:
                        self.qmp.sendall(line + b'\n')
                    except OSError:
                        self.qmp_close()
        if len(self.line) > MAX_LINE:
            log('guest line longer than %d bytes dropped' % MAX_LINE)
            self.line = b''

    def run(self):
        while True:
            socks = [self.serial] + ([self.qmp] if self.qmp else [])
            ready, _, _ = select.select(socks, [], [])
            if self.serial in ready:
                try:
                    data = self.serial.recv(4096)
                except OSError:
                    data = b''
                if not data:
                    return          # QEMU closed the port: it exited
                self.from_guest(data)
            if self.qmp and self.qmp in ready:
                try:
                    data = self.qmp.recv(4096)
                except OSError:
                    data = b''
                if not data:
                    self.qmp_close()
                    continue
                try:
                    self.serial.sendall(data)
                except OSError:
                    return


def main(argv):
    labpy.handle_help(__doc__, argv)
    parent = 0
    timeout = 60.0
    args = []
    for a in argv:
        if a.startswith('--parent='):
            parent = int(a.split('=', 1)[1])
        elif a.startswith('--connect-timeout='):
            timeout = float(a.split('=', 1)[1])
        elif a.startswith('-'):
            log('unknown option %r' % a)
            return 2
        else:
            args.append(a)
    if len(args) != 2:
        log('usage: guest-qmp-relay.py [--parent=PID] [--connect-timeout=S] '
            'SERIAL_SOCKET QMP_SOCKET')
        return 2
    die_with_parent(parent)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serial = connect_unix(args[0], timeout)
    if not serial:
        log('no serial socket %s after %g s' % (args[0], timeout))
        return 1
    try:
        Relay(serial, args[1]).run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
