/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QMP from inside the guest. With scripts/run-guest --guest-qmp the
 * guest's /dev/ttyS1 reaches a QMP monitor of the QEMU that runs it,
 * through scripts/lib/guest-qmp-relay.py on the host, so a guest test can read
 * and change device properties while it runs (smmu-lite's counters, its
 * failure injection: /machine/peripheral/smmu0).
 *
 * The connection is per process and opened on first use (or by
 * lab_qmp_open()): the port is put in raw mode, the relay is asked for a
 * new QMP session ("LAB-QMP-CONNECT"), the greeting is read and
 * qmp_capabilities sent. Open it in the process that uses it (a kselftest
 * harness test runs in a child of its own), and use it from one thread at
 * a time.
 *
 * Every call is bounded by LAB_QMP_TIMEOUT_MS, so a run without the relay
 * fails instead of hanging. They return 0 or a negative errno and never
 * assert:
 *   -ETIMEDOUT   no (complete) answer in time: no relay, or QEMU busy
 *   -EREMOTEIO   QMP answered with an error; lab_qmp_error_class() and
 *                lab_qmp_error_desc() hold it (it is also printed as a
 *                "# lab_qmp: ..." line on stderr)
 *   -EPROTO      an answer that is not what was asked for (not a number)
 *   -EMSGSIZE    an answer longer than LAB_QMP_LINE_MAX
 *   other        from open(), tcsetattr(), read() or write()
 * Asynchronous events (and replies left over from an earlier session) are
 * skipped: each command carries an "id" and only its reply counts.
 */
#ifndef __LAB_QMP_H
#define __LAB_QMP_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef LAB_QMP_DEV
#define LAB_QMP_DEV		"/dev/ttyS1"
#endif
#ifndef LAB_QMP_TIMEOUT_MS
#define LAB_QMP_TIMEOUT_MS	10000
#endif
#define LAB_QMP_LINE_MAX	8192
/* how long to wait for a greeting before asking the relay again */
#define LAB_QMP_HELLO_MS	2000

struct lab_qmp {
	int fd;
	unsigned int next_id;
	bool skipping;			/* dropping an overlong line */
	size_t len;			/* bytes in buf */
	char buf[LAB_QMP_LINE_MAX];
	char err_class[64];
	char err_desc[256];
};

static struct lab_qmp lab_qmp_conn __attribute__((unused)) = { .fd = -1 };

static inline const char *lab_qmp_error_class(void)
{
	return lab_qmp_conn.err_class;
}

static inline const char *lab_qmp_error_desc(void)
{
	return lab_qmp_conn.err_desc;
}

static inline long long lab_qmp__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until @fd is ready for @events or @deadline (ms) passes. */
static inline int lab_qmp__wait(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		long long left = deadline - lab_qmp__now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (pfd.revents & (POLLERR | POLLNVAL))
			return -EIO;
		return 0;
	}
}

static inline int lab_qmp__write(const char *s, long long deadline)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(lab_qmp_conn.fd, s + off, len - off);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int ret = lab_qmp__wait(lab_qmp_conn.fd, POLLOUT,
						deadline);

			if (ret)
				return ret;
			continue;
		}
		if (n < 0)
			return -errno;
		off += n;
	}
	return 0;
}

/*
 * The next line from the port (without its end of line) in @line, which
 * holds LAB_QMP_LINE_MAX bytes.
 */
static inline int lab_qmp__read_line(char *line, long long deadline)
{
	struct lab_qmp *q = &lab_qmp_conn;

	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		ssize_t n;
		int ret;

		if (nl) {
			size_t l = nl - q->buf;
			bool skipped = q->skipping;

			memcpy(line, q->buf, l);
			line[l] = 0;
			if (l && line[l - 1] == '\r')
				line[l - 1] = 0;
			q->len -= l + 1;
			memmove(q->buf, nl + 1, q->len);
			q->skipping = false;
			if (skipped)
				return -EMSGSIZE;
			return 0;
		}
		if (q->len == sizeof(q->buf)) {
			/* no end of line in a full buffer: drop up to the next */
			q->len = 0;
			q->skipping = true;
		}
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n > 0) {
			q->len += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		ret = lab_qmp__wait(q->fd, POLLIN, deadline);
		if (ret)
			return ret;
	}
}

/* --- a small reader for the JSON QEMU writes -------------------------- */

static inline const char *lab_qmp__ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* The end of the JSON value at @p, or NULL if it is malformed. */
static inline const char *lab_qmp__skip(const char *p)
{
	int depth = 0;

	p = lab_qmp__ws(p);
	do {
		switch (*p) {
		case 0:
			return NULL;
		case '"':
			for (p++; *p != '"'; p++) {
				if (!*p)
					return NULL;
				if (*p == '\\' && !*++p)
					return NULL;
			}
			p++;
			break;
		case '{':
		case '[':
			depth++;
			p++;
			break;
		case '}':
		case ']':
			if (!depth)
				return NULL;
			depth--;
			p++;
			break;
		default:
			if (!depth) {
				/* a number or a literal */
				while (*p && !strchr(",}] \t\r\n", *p))
					p++;
				return p;
			}
			p++;
			break;
		}
	} while (depth);
	return p;
}

/* Decode the JSON string at @p into @out (@size bytes, truncated). */
static inline const char *lab_qmp__string(const char *p, char *out,
					  size_t size)
{
	size_t n = 0;

	p = lab_qmp__ws(p);
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		char c = *p;

		if (!c)
			return NULL;
		if (c == '\\') {
			switch (*++p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				if (strlen(p) < 5)
					return NULL;
				p += 4;
				c = '?';
				break;
			case 0:
				return NULL;
			default:
				c = *p;
				break;
			}
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	if (size)
		out[n] = 0;
	return p + 1;
}

/* The value of member @key of the JSON object at @obj, or NULL. */
static inline const char *lab_qmp__member(const char *obj, const char *key)
{
	const char *p = lab_qmp__ws(obj);
	char name[64];

	if (*p++ != '{')
		return NULL;
	for (;;) {
		p = lab_qmp__ws(p);
		if (*p == '}')
			return NULL;
		p = lab_qmp__string(p, name, sizeof(name));
		if (!p)
			return NULL;
		p = lab_qmp__ws(p);
		if (*p++ != ':')
			return NULL;
		p = lab_qmp__ws(p);
		if (!strcmp(name, key))
			return p;
		p = lab_qmp__skip(p);
		if (!p)
			return NULL;
		p = lab_qmp__ws(p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
}

/* @s as a JSON string, quotes included, into @out; -ENAMETOOLONG if long. */
static inline int lab_qmp__quote(const char *s, char *out, size_t size)
{
	size_t n = 0;

	if (size < 3)
		return -ENAMETOOLONG;
	out[n++] = '"';
	for (; *s; s++) {
		unsigned char c = *s;

		if (n + 8 >= size)
			return -ENAMETOOLONG;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = c;
		} else if (c < 0x20) {
			n += snprintf(out + n, size - n, "\\u%04x", c);
		} else {
			out[n++] = c;
		}
	}
	out[n++] = '"';
	out[n] = 0;
	return 0;
}

/* --- commands ------------------------------------------------------------ */

static inline void lab_qmp_close(void)
{
	if (lab_qmp_conn.fd >= 0)
		close(lab_qmp_conn.fd);
	lab_qmp_conn.fd = -1;
	lab_qmp_conn.len = 0;
	lab_qmp_conn.skipping = false;
}

static inline int lab_qmp__send(const char *cmd, const char *args,
				char *ret, size_t retlen, long long deadline);

/*
 * Open the port, start a QMP session through the relay and leave
 * capabilities negotiation; nothing to do if already open.
 */
static inline int lab_qmp_open(void)
{
	struct lab_qmp *q = &lab_qmp_conn;
	long long deadline = lab_qmp__now_ms() + LAB_QMP_TIMEOUT_MS;
	static char line[LAB_QMP_LINE_MAX];
	struct termios tio;
	int ret;

	if (q->fd >= 0)
		return 0;
	q->fd = open(LAB_QMP_DEV, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (q->fd < 0) {
		ret = -errno;
		lab_qmp_close();
		return ret;
	}
	q->len = 0;
	q->skipping = false;
	/* ids of this process's commands: not those of an earlier process */
	if (!q->next_id)
		q->next_id = (unsigned int)getpid() << 12;
	if (tcgetattr(q->fd, &tio)) {
		ret = -errno;
		lab_qmp_close();
		return ret;
	}
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~CRTSCTS;
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, B115200);
	cfsetospeed(&tio, B115200);
	if (tcsetattr(q->fd, TCSANOW, &tio)) {
		ret = -errno;
		lab_qmp_close();
		return ret;
	}
	tcflush(q->fd, TCIOFLUSH);

	/*
	 * Ask for a session, and again now and then: the relay may not be
	 * listening yet. The first greeting seen will do; commands go to the
	 * relay's latest session, and replies are matched by id.
	 */
	for (;;) {
		long long hello = lab_qmp__now_ms() + LAB_QMP_HELLO_MS;

		ret = lab_qmp__write("LAB-QMP-CONNECT\n", deadline);
		if (ret)
			break;
		if (hello > deadline)
			hello = deadline;
		do {
			ret = lab_qmp__read_line(line, hello);
		} while ((!ret && !lab_qmp__member(line, "QMP")) ||
			 ret == -EMSGSIZE);
		/* no greeting yet: ask again, unless the time is up */
		if (ret != -ETIMEDOUT || lab_qmp__now_ms() >= deadline)
			break;
	}
	if (!ret)
		ret = lab_qmp__send("qmp_capabilities", NULL, NULL, 0, deadline);
	if (ret)
		lab_qmp_close();
	return ret;
}

/*
 * Send one command; wait for its reply. The "return" value's JSON text
 * goes to @ret (@retlen bytes, truncated; may be NULL).
 */
static inline int lab_qmp__send(const char *cmd, const char *args,
				char *ret, size_t retlen, long long deadline)
{
	struct lab_qmp *q = &lab_qmp_conn;
	static char req[LAB_QMP_LINE_MAX], line[LAB_QMP_LINE_MAX];
	unsigned int id = ++q->next_id;
	int err;

	q->err_class[0] = q->err_desc[0] = 0;
	if (snprintf(req, sizeof(req), "{\"execute\": \"%s\"%s%s, \"id\": %u}\n",
		     cmd, args ? ", \"arguments\": " : "", args ? args : "",
		     id) >= (int)sizeof(req))
		return -E2BIG;
	err = lab_qmp__write(req, deadline);
	if (err)
		return err;
	for (;;) {
		const char *idv, *v, *end;

		err = lab_qmp__read_line(line, deadline);
		if (err)
			return err;
		if (lab_qmp__member(line, "event") ||
		    lab_qmp__member(line, "QMP"))
			continue;
		idv = lab_qmp__member(line, "id");
		v = lab_qmp__member(line, "error");
		/* an error without an id answers a request QMP could not read */
		if (idv ? strtoul(idv, NULL, 10) != id : !v)
			continue;
		if (v) {
			const char *c = lab_qmp__member(v, "class");
			const char *d = lab_qmp__member(v, "desc");

			if (c)
				lab_qmp__string(c, q->err_class,
						sizeof(q->err_class));
			if (d)
				lab_qmp__string(d, q->err_desc,
						sizeof(q->err_desc));
			fprintf(stderr, "# lab_qmp: %s: %s: %s\n", cmd,
				q->err_class, q->err_desc);
			return -EREMOTEIO;
		}
		v = lab_qmp__member(line, "return");
		end = v ? lab_qmp__skip(v) : NULL;
		if (!end)
			return -EPROTO;
		if (ret && retlen) {
			size_t l = end - v;

			if (l > retlen - 1)
				l = retlen - 1;
			memcpy(ret, v, l);
			ret[l] = 0;
		}
		return 0;
	}
}

/*
 * Execute QMP command @cmd with @args (a JSON object's text, or NULL),
 * opening the connection if needed; the "return" value's JSON text goes
 * to @ret (@retlen bytes, truncated; @ret may be NULL).
 */
static inline int lab_qmp_execute(const char *cmd, const char *args,
				  char *ret, size_t retlen)
{
	int err = lab_qmp_open();

	if (err)
		return err;
	return lab_qmp__send(cmd, args, ret, retlen,
			     lab_qmp__now_ms() + LAB_QMP_TIMEOUT_MS);
}

/* {"path": @path, "property": @prop} plus @more (", ..." or ""). */
static inline int lab_qmp__qom_args(char *out, size_t size, const char *path,
				    const char *prop, const char *more)
{
	char p[512], n[256];

	if (lab_qmp__quote(path, p, sizeof(p)) ||
	    lab_qmp__quote(prop, n, sizeof(n)))
		return -ENAMETOOLONG;
	if (snprintf(out, size, "{\"path\": %s, \"property\": %s%s}", p, n,
		     more) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* qom-get of an integer (or bool: 0/1) property into *@value. */
static inline int lab_qmp_qom_get_u64(const char *path, const char *prop,
				      uint64_t *value)
{
	char args[1024], ret[64], *end;
	const char *v;
	int err;

	err = lab_qmp__qom_args(args, sizeof(args), path, prop, "");
	if (!err)
		err = lab_qmp_execute("qom-get", args, ret, sizeof(ret));
	if (err)
		return err;
	v = lab_qmp__ws(ret);
	if (!strcmp(v, "true") || !strcmp(v, "false")) {
		*value = v[0] == 't';
		return 0;
	}
	if (*v < '0' || *v > '9')
		return -EPROTO;
	errno = 0;
	*value = strtoull(v, &end, 10);
	if (errno || *lab_qmp__ws(end))
		return -EPROTO;
	return 0;
}

/* qom-set of an integer property to @value. */
static inline int lab_qmp_qom_set_u64(const char *path, const char *prop,
				      uint64_t value)
{
	char args[1024], more[40];
	int err;

	snprintf(more, sizeof(more), ", \"value\": %llu",
		 (unsigned long long)value);
	err = lab_qmp__qom_args(args, sizeof(args), path, prop, more);
	if (err)
		return err;
	return lab_qmp_execute("qom-set", args, NULL, 0);
}

/* smmu-lite's failure injection: the QOM path of the lab's instance */
#define LAB_SMMU_PATH		"/machine/peripheral/smmu0"

/* smmu-lite refuses the next @count commands of @opcode it consumes. */
static inline int lab_smmu_refuse(uint8_t opcode, unsigned int count)
{
	int ret = lab_qmp_qom_set_u64(LAB_SMMU_PATH, "x-refuse-cmd", opcode);

	return ret ?: lab_qmp_qom_set_u64(LAB_SMMU_PATH, "x-refuse-cmd-count",
					  count);
}

/* Refusals armed but not made yet (all ones if QMP failed). */
static inline uint64_t lab_smmu_refusals_left(void)
{
	uint64_t left = ~0ULL;

	lab_qmp_qom_get_u64(LAB_SMMU_PATH, "x-refuse-cmd-count", &left);
	return left;
}

#endif /* __LAB_QMP_H */
