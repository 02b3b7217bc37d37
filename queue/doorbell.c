#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "queue/doorbell.h"

#define BELL_MAX_LISTENERS 256
#define BELL_NAME_MAX 32

struct doorbell {
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path) - BELL_NAME_MAX];
	int send_fd;              /* unbound datagram socket for ringing */
	int recv_fd;              /* bound when this process waits; -1 */
	pid_t recv_pid;           /* the process that bound recv_fd */
	char recv_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct timespec seen_mtime; /* folder mtime when names were read */
	int64_t read_at_ms;         /* wall clock when they were read */
	int nnames;
	char names[BELL_MAX_LISTENERS][BELL_NAME_MAX];
};

/* Choose the folder: <db>-bell when short enough for sun_path. */
static int
choose_dir(const char *db_path, char *dir, size_t len)
{
	struct stat st;
	int n;

	n = snprintf(dir, len, "%s-bell", db_path);
	if (n > 0 && (size_t)n < len)
		return 0;
	if (stat(db_path, &st) < 0)
		return -errno;
	n = snprintf(dir, len, "/tmp/draftbot-bell-%llx-%llx",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/*
 * The folder must be a real folder of ours that nobody else can write: in
 * /tmp another user could have made it first to catch or fake rings.
 */
static int
check_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0)
		return -EPERM;
	return 0;
}

int
doorbell_open(const char *db_path, struct doorbell **ret)
{
	struct doorbell *b;
	int r;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	b->recv_fd = -1;
	r = choose_dir(db_path, b->dir, sizeof(b->dir));
	if (r < 0)
		goto fail;
	if (mkdir(b->dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		goto fail;
	}
	r = check_dir(b->dir);
	if (r < 0)
		goto fail;
	b->send_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (b->send_fd < 0) {
		r = -errno;
		goto fail;
	}
	b->nnames = -1;
	*ret = b;
	return 0;
fail:
	free(b);
	return r;
}

static int64_t
ts_ms(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

/*
 * Re-read the listener names when the folder changed.  Folder timestamps are
 * coarse (one clock tick, a few ms): two changes within one tick leave the
 * same mtime.  So an equal mtime is trusted only when the names were read
 * well after it (BELL_TICK_MS); a read made within the tick is repeated.
 */
#define BELL_TICK_MS 50

static int
refresh_names(struct doorbell *b)
{
	struct stat st;
	struct timespec now;
	struct dirent *de;
	DIR *d;

	if (stat(b->dir, &st) < 0)
		return -errno;
	if (b->nnames >= 0 && st.st_mtim.tv_sec == b->seen_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == b->seen_mtime.tv_nsec &&
	    b->read_at_ms > ts_ms(&st.st_mtim) + BELL_TICK_MS)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	b->read_at_ms = ts_ms(&now);
	d = opendir(b->dir);
	if (d == NULL)
		return -errno;
	b->nnames = 0;
	while ((de = readdir(d)) != NULL && b->nnames < BELL_MAX_LISTENERS) {
		if (de->d_name[0] == '.' ||
		    strlen(de->d_name) >= BELL_NAME_MAX)
			continue;
		memcpy(b->names[b->nnames++], de->d_name,
		    strlen(de->d_name) + 1);
	}
	closedir(d);
	b->seen_mtime = st.st_mtim;
	return 0;
}

int
doorbell_ring(struct doorbell *b)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r, rung = 0;

	r = refresh_names(b);
	if (r < 0)
		return r;
	for (int i = 0; i < b->nnames; i++) {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", b->dir,
		    b->names[i]);
		if (sendto(b->send_fd, "!", 1, MSG_DONTWAIT,
			(struct sockaddr *)&sa, sizeof(sa)) == 1) {
			rung++;
			continue;
		}
		/* Nobody bound to it: its process died without cleaning up. */
		if (errno == ECONNREFUSED)
			unlink(sa.sun_path);
		/* EAGAIN: its buffer is full of rings it has not read yet. */
	}
	return rung;
}

static int
bind_listener(struct doorbell *b)
{
	static unsigned counter;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (b->recv_fd >= 0 && b->recv_pid == getpid())
		return 0;
	if (b->recv_fd >= 0)
		close(b->recv_fd); /* inherited across fork: not ours */
	b->recv_fd = -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%ld.%u", b->dir,
	    (long)getpid(), counter++);
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	b->recv_fd = fd;
	b->recv_pid = getpid();
	memcpy(b->recv_path, sa.sun_path, sizeof(sa.sun_path));
	return 1;
}

int
doorbell_wait(struct doorbell *b, int timeout_ms)
{
	struct pollfd pfd;
	char buf[64];
	int r;

	r = bind_listener(b);
	if (r != 0)
		return r; /* 1: newly listening, look again first */
	pfd.fd = b->recv_fd;
	pfd.events = POLLIN;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	while (recv(b->recv_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	return 1;
}

void
doorbell_close(struct doorbell *b)
{
	if (b == NULL)
		return;
	if (b->recv_fd >= 0) {
		close(b->recv_fd);
		if (b->recv_pid == getpid())
			unlink(b->recv_path);
	}
	close(b->send_fd);
	free(b);
}
