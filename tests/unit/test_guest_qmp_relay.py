#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check scripts/lib/guest-qmp-relay.py against a fake QEMU (two listening unix
sockets: the guest's serial port and a QMP monitor): LAB-QMP-CONNECT opens
a session whose greeting reaches the guest, lines go both ways unchanged,
a second LAB-QMP-CONNECT replaces the session, a line without a session
opens one; the relay leaves when the serial socket closes (QEMU exited),
when its parent dies, and when the serial socket never appears."""
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RELAY = os.path.join(HERE, '..', '..', 'scripts', 'lib', 'guest-qmp-relay.py')
TIMEOUT = 5


def listener(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(4)
    s.settimeout(TIMEOUT)
    return s


def accept(srv):
    c, _ = srv.accept()
    c.settimeout(TIMEOUT)
    return c


def read_until(sock, want):
    data = b''
    while want not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def gone(proc, secs=TIMEOUT):
    try:
        return proc.wait(secs)
    except subprocess.TimeoutExpired:
        return None


results = []


def check(name, ok, why=''):
    results.append((name, ok, why))


with tempfile.TemporaryDirectory() as d:
    ser_path, qmp_path = os.path.join(d, 'serial'), os.path.join(d, 'qmp')
    ser_srv, qmp_srv = listener(ser_path), listener(qmp_path)
    relay = subprocess.Popen([sys.executable, RELAY, ser_path, qmp_path])
    try:
        guest = accept(ser_srv)
        guest.sendall(b'LAB-QMP-CONNECT\n')
        mon = accept(qmp_srv)
        mon.sendall(b'{"QMP": {"version": {}}}\r\n')
        check('the greeting of a new session reaches the guest',
              b'"QMP"' in read_until(guest, b'\n'))
        guest.sendall(b'{"execute": "qmp_capabilities", "id": 1}\n')
        check('a guest line reaches QMP unchanged',
              read_until(mon, b'\n') == b'{"execute": "qmp_capabilities", "id": 1}\n')
        mon.sendall(b'{"return": {}, "id": 1}\r\n{"event": "X"}\r\n')
        got = read_until(guest, b'"X"')
        check('QMP output reaches the guest unchanged',
              got == b'{"return": {}, "id": 1}\r\n{"event": "X"}\r\n', repr(got))

        guest.sendall(b'LAB-QMP-CONNECT\n')
        mon2 = accept(qmp_srv)
        check('LAB-QMP-CONNECT closes the previous session',
              read_until(mon, b'\n') == b'')
        mon2.sendall(b'{"QMP": {}}\r\n')
        check('and opens a new one', b'"QMP"' in read_until(guest, b'\n'))

        mon2.close()                    # QEMU dropped the session
        time.sleep(0.2)
        guest.sendall(b'{"execute": "query-status", "id": 2}\n')
        mon3 = accept(qmp_srv)
        check('a line without a session opens one first',
              read_until(mon3, b'\n') == b'{"execute": "query-status", "id": 2}\n')

        guest.close()                   # QEMU exited
        rc = gone(relay)
        check('the relay leaves when the serial socket closes', rc == 0,
              'exit %r' % rc)
        check('and closes its QMP session', read_until(mon3, b'\n') == b'')
    except (OSError, socket.timeout) as e:
        check('talking to the relay', False, str(e))
    finally:
        if relay.poll() is None:
            relay.kill()
            relay.wait()

    # no serial socket at all: gives up after --connect-timeout
    start = time.monotonic()
    r = subprocess.run([sys.executable, RELAY, '--connect-timeout=0.5',
                        os.path.join(d, 'none'), qmp_path],
                       capture_output=True, timeout=30)
    check('no serial socket: the relay gives up', r.returncode == 1 and
          time.monotonic() - start < 10, 'exit %d' % r.returncode)

    # the parent dies: so does the relay, while QEMU's socket stays open
    sh = subprocess.run(['sh', '-c', '"$0" "$1" --parent=$$ "$2" "$3" '
                         '</dev/null >/dev/null 2>&1 & echo $!; sleep 1',
                         sys.executable, RELAY, ser_path, qmp_path],
                        capture_output=True, text=True, timeout=30)
    pid = int(sh.stdout.split()[0])
    try:
        conn = accept(ser_srv)
    except (OSError, socket.timeout):
        conn = None
    end = time.monotonic() + TIMEOUT
    alive = True
    while alive and time.monotonic() < end:
        try:
            os.kill(pid, 0)
            with open('/proc/%d/stat' % pid) as f:
                alive = f.read().split(')')[-1].split()[0] != 'Z'
            time.sleep(0.1)
        except (OSError, IndexError):
            alive = False
    if alive:
        os.kill(pid, 9)
    check('the relay dies with its parent', conn is not None and not alive)
    if conn:
        conn.close()

for i, (name, ok, why) in enumerate(results, 1):
    if not ok and why:
        print('# ' + why)
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
print('1..%d' % len(results))
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
