/*
 * check_doorbell.c — tests for the doorbell (queue/doorbell.h): the folder
 * next to the database, the first wait that only starts listening, time-outs,
 * rings between handles, stale sockets of dead processes, and the /tmp
 * folder used when the database path is too long for a socket address.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "queue/doorbell.h"
#include "queue/queue.h"
#include "tests/testutil.h"

/* Entries of a folder, not counting "." and "..". */
static int
count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* A scratch folder and the paths of a database and its bell in it. */
struct fx {
	char dir[256];
	char db[320];
	char bell[340];
};

static void
fx_init(struct fx *f)
{
	tu_tmpdir(f->dir, sizeof(f->dir));
	tu_path(f->db, sizeof(f->db), f->dir, "queue.db");
	snprintf(f->bell, sizeof(f->bell), "%s-bell", f->db);
}

static struct doorbell *
bell_open(const char *db)
{
	struct doorbell *b = NULL;
	int r = doorbell_open(db, &b);

	ck_assert_msg(r == 0, "doorbell_open %s: %d", db, r);
	ck_assert_ptr_nonnull(b);
	return b;
}

START_TEST(open_creates_folder)
{
	struct doorbell *b, *b2;
	struct stat st;
	struct fx f;

	fx_init(&f);
	b = bell_open(f.db);
	ck_assert_int_eq(stat(f.bell, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(count_entries(f.bell), 0); /* nobody listens yet */
	b2 = bell_open(f.db); /* the folder exists already: fine */
	doorbell_close(b2);
	doorbell_close(b);
	doorbell_close(NULL);
	tu_rmtree(f.dir);
}
END_TEST

START_TEST(open_missing_folder)
{
	struct doorbell *b = (struct doorbell *)&b;
	char db[400];
	struct fx f;

	fx_init(&f);
	snprintf(db, sizeof(db), "%s/no-such/queue.db", f.dir);
	ck_assert_int_eq(doorbell_open(db, &b), -ENOENT);
	ck_assert_ptr_eq(b, (struct doorbell *)&b);
	tu_rmtree(f.dir);
}
END_TEST

/* A bell folder others can write to (made first by someone else) is not
 * used, and nothing is bound in it. */
START_TEST(open_refuses_open_folder)
{
	struct doorbell *b = (struct doorbell *)&b;
	char db[400], bell[420];
	struct fx f;

	fx_init(&f);
	snprintf(db, sizeof(db), "%s/queue.db", f.dir);
	snprintf(bell, sizeof(bell), "%s-bell", db);
	ck_assert_int_eq(mkdir(bell, 0700), 0);
	ck_assert_int_eq(chmod(bell, 0777), 0);
	ck_assert_int_eq(doorbell_open(db, &b), -EPERM);
	ck_assert_ptr_eq(b, (struct doorbell *)&b);
	ck_assert_int_eq(rmdir(bell), 0); /* still empty */
	tu_rmtree(f.dir);
}
END_TEST

START_TEST(first_wait_then_timeout)
{
	struct timespec t0;
	struct doorbell *b;
	int64_t ms;
	struct fx f;

	fx_init(&f);
	b = bell_open(f.db);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(doorbell_wait(b, 5000), 1); /* started listening */
	ck_assert_int_lt(tu_ms_since(&t0), 1000);
	ck_assert_int_eq(count_entries(f.bell), 1); /* its socket */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(doorbell_wait(b, 50), 0);
	ms = tu_ms_since(&t0);
	ck_assert_msg(ms >= 40 && ms < 1000, "waited %lld ms", (long long)ms);
	ck_assert_int_eq(doorbell_wait(b, 0), 0);
	doorbell_close(b);
	ck_assert_int_eq(count_entries(f.bell), 0); /* close removed it */
	tu_rmtree(f.dir);
}
END_TEST

START_TEST(ring_wakes)
{
	struct doorbell *b1, *b2, *b3;
	struct timespec t0;
	struct fx f;

	fx_init(&f);
	b1 = bell_open(f.db);
	b2 = bell_open(f.db);
	ck_assert_int_eq(doorbell_ring(b2), 0); /* nobody listens */
	ck_assert_int_eq(doorbell_wait(b1, 0), 1);
	ck_assert_int_eq(doorbell_ring(b2), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(doorbell_wait(b1, 5000), 1);
	ck_assert_int_lt(tu_ms_since(&t0), 1000);
	/* several rings are drained by one wake-up */
	ck_assert_int_eq(doorbell_ring(b2), 1);
	ck_assert_int_eq(doorbell_ring(b2), 1);
	ck_assert_int_eq(doorbell_ring(b2), 1);
	ck_assert_int_eq(doorbell_wait(b1, 5000), 1);
	ck_assert_int_eq(doorbell_wait(b1, 0), 0);
	/* every listener is rung */
	b3 = bell_open(f.db);
	ck_assert_int_eq(doorbell_wait(b3, 0), 1);
	ck_assert_int_eq(doorbell_ring(b2), 2);
	ck_assert_int_eq(doorbell_wait(b1, 1000), 1);
	ck_assert_int_eq(doorbell_wait(b3, 1000), 1);
	/* a listener that closed is gone from the folder and not rung */
	doorbell_close(b3);
	ck_assert_int_eq(doorbell_ring(b2), 1);
	doorbell_close(b1);
	ck_assert_int_eq(doorbell_ring(b2), 0);
	ck_assert_int_eq(count_entries(f.bell), 0);
	doorbell_close(b2);
	tu_rmtree(f.dir);
}
END_TEST

/* A socket file left by a process that died without cleaning up. */
static void
make_stale_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

START_TEST(stale_socket_removed)
{
	struct doorbell *live, *ringer;
	char stale[400];
	struct stat st;
	struct fx f;

	fx_init(&f);
	live = bell_open(f.db);
	ringer = bell_open(f.db);
	ck_assert_int_eq(doorbell_wait(live, 0), 1);
	snprintf(stale, sizeof(stale), "%s/999999.0", f.bell);
	make_stale_socket(stale);
	ck_assert_int_eq(stat(stale, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(count_entries(f.bell), 2);
	ck_assert_int_eq(doorbell_ring(ringer), 1); /* only the live one */
	ck_assert_int_ne(stat(stale, &st), 0);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(count_entries(f.bell), 1);
	ck_assert_int_eq(doorbell_wait(live, 1000), 1);
	ck_assert_int_eq(doorbell_ring(ringer), 1);
	doorbell_close(live);
	doorbell_close(ringer);
	tu_rmtree(f.dir);
}
END_TEST

/*
 * A database deep in folders: <db>-bell/<name> would not fit in a socket
 * address (108 bytes), so the bell lives under /tmp, named after the
 * file's device and inode.  Everything works the same.
 */
START_TEST(long_path_fallback)
{
	char path[512], db[600], bell[640], tmpbell[128];
	struct doorbell *b1, *b2 = (struct doorbell *)&b2;
	struct queue *q1, *q2;
	struct stat st;
	struct fx f;

	fx_init(&f);
	snprintf(path, sizeof(path), "%s", f.dir);
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(path);

		snprintf(path + n, sizeof(path) - n,
		    "/a-rather-long-folder-name-number-%d", i);
		ck_assert_int_eq(mkdir(path, 0700), 0);
	}
	snprintf(db, sizeof(db), "%s/queue.db", path);
	ck_assert_uint_gt(strlen(db), 108);
	/* the database must exist: its inode names the folder */
	ck_assert_int_eq(doorbell_open(db, &b2), -ENOENT);
	ck_assert_ptr_eq(b2, (struct doorbell *)&b2);

	q1 = tu_open(db, NULL);
	q2 = tu_open(db, NULL);
	ck_assert_int_eq(stat(db, &st), 0);
	snprintf(tmpbell, sizeof(tmpbell), "/tmp/draftbot-bell-%llx-%llx",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	b1 = bell_open(db);
	b2 = bell_open(db);
	snprintf(bell, sizeof(bell), "%s-bell", db);
	ck_assert_int_ne(stat(bell, &st), 0);
	ck_assert_int_eq(stat(tmpbell, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(doorbell_wait(b1, 0), 1);
	ck_assert_int_eq(doorbell_ring(b2), 1);
	ck_assert_int_eq(doorbell_wait(b1, 1000), 1);
	doorbell_close(b1);
	doorbell_close(b2);
	/* and so does the queue on top of it */
	ck_assert_int_eq(queue_wait(q1, 1000), 1);
	tu_enqueue(q2, "deep", 0);
	ck_assert_int_eq(queue_wait(q1, 1000), 1);
	queue_close(q1);
	queue_close(q2);
	ck_assert_int_eq(count_entries(tmpbell), 0);
	ck_assert_int_eq(rmdir(tmpbell), 0);
	tu_rmtree(f.dir);
}
END_TEST

static Suite *
doorbell_suite(void)
{
	Suite *s = suite_create("doorbell");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, open_creates_folder);
	tcase_add_test(tc, open_missing_folder);
	tcase_add_test(tc, open_refuses_open_folder);
	tcase_add_test(tc, first_wait_then_timeout);
	tcase_add_test(tc, ring_wakes);
	tcase_add_test(tc, stale_socket_removed);
	tcase_add_test(tc, long_path_fallback);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(doorbell_suite());
}
