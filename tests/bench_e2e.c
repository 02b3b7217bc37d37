/*
 * bench_e2e — end-to-end latency for scripts/bench-pipeline: from the
 * webhook POST of an update to the draft card's sendMessage arriving at
 * the fake Telegram.
 *
 *   bench_e2e --bin DRAFTBOT --dir DIR [--n N] [--rate R]
 *             [--send-rate-global G]
 *
 * Starts the fake Telegram (tests/fake_tg.h) in this process, then
 * `draftbot receive --listen 127.0.0.1:PORT` and `draftbot execute
 * --workers 2` as real processes on DIR/e2e.db against the fake; POSTs N
 * text messages (default 300) at a steady R per second (default 100), each
 * from a chat of its own so that Telegram's 1 message/s per chat does not
 * queue them up, and matches each card's arrival (the fake records it on
 * CLOCK_MONOTONIC) to the time its POST began.  --send-rate-global sets
 * DRAFTBOT_SEND_RATE_GLOBAL for the executor (Telegram allows 30/s; the
 * fake allows anything).  Before stopping the processes it reads their
 * peak RSS (VmHWM; for the executor the largest of it and its children).
 *
 * The last line is "E2E key=value …".  Exit 0, or 1 when something failed
 * (every card must arrive exactly once).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/fake_tg.h"

#define TOKEN "123456:BENCH-token_abcdefgh"
#define SECRET "bench-S3cret"
#define WARMUP 5
#define WARM_CHAT 900000
#define FIRST_CHAT 1000000
#define GUARD_MS 120000 /* a wait past this (plus the send time) hangs */

struct run {
	const char *bin, *dir;
	int n, rate, send_rate;
	char db[512], rxlog[512], exlog[512];
	char listen[32], url[64], health[64];
	struct fake_tg *tg;
	pid_t rx, ex;
	CURL *c;
};

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_e2e: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int
free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
		die("cannot find a free port: %s", strerror(errno));
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static pid_t
spawn(const struct run *r, const char *const *argv, const char *log)
{
	const char *args[8];
	char rate[32];
	pid_t pid;
	int n = 0;

	args[n++] = r->bin;
	for (int i = 0; argv[i] != NULL && n < 7; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		setenv("DRAFTBOT_DB", r->db, 1);
		setenv("DRAFTBOT_TELEGRAM_API", fake_tg_base_url(r->tg), 1);
		setenv("DRAFTBOT_TELEGRAM_TOKEN", TOKEN, 1);
		setenv("DRAFTBOT_WEBHOOK_SECRET", SECRET, 1);
		setenv("DRAFTBOT_LOG_LEVEL", "warn", 1);
		if (r->send_rate > 0) {
			snprintf(rate, sizeof(rate), "%d", r->send_rate);
			setenv("DRAFTBOT_SEND_RATE_GLOBAL", rate, 1);
		}
		execv(r->bin, (char *const *)args);
		_exit(127);
	}
	return pid;
}

static size_t
discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/* POST body to the webhook on the kept-alive handle; the HTTP status. */
static long
post(struct run *r, const char *body)
{
	static struct curl_slist *hdrs;
	long status = 0;

	if (hdrs == NULL) {
		hdrs =
		    curl_slist_append(hdrs, "Content-Type: application/json");
		hdrs = curl_slist_append(
		    hdrs, "X-Telegram-Bot-Api-Secret-Token: " SECRET);
	}
	curl_easy_setopt(r->c, CURLOPT_URL, r->url);
	curl_easy_setopt(r->c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(r->c, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(r->c) == CURLE_OK)
		curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static void
wait_healthy(struct run *r)
{
	CURL *c = curl_easy_init();
	int64_t t0 = mono_ns();
	long status = 0;

	curl_easy_setopt(c, CURLOPT_URL, r->health);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	while (status != 200) {
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200 && mono_ns() - t0 > 30 * 1000000000LL)
			die("the receiver never answered (see %s)", r->rxlog);
		if (status != 200)
			sleep_ms(20);
	}
	curl_easy_cleanup(c);
}

static void
update(char *buf, size_t len, int64_t id, int64_t chat, const char *text)
{
	snprintf(buf, len,
	    "{\"update_id\":%" PRId64 ",\"message\":{\"message_id\":%" PRId64
	    ",\"from\":{\"id\":%" PRId64 ",\"is_bot\":false,\"first_name\":"
	    "\"Ann\",\"last_name\":\"Lee\",\"username\":\"annlee\","
	    "\"language_code\":\"en\"},\"chat\":{\"id\":%" PRId64
	    ",\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"username\":"
	    "\"annlee\",\"type\":\"private\"},\"date\":1763700000,\"text\":"
	    "\"%s\"}}",
	    id, id, chat, chat, text);
}

/* Wait until n cards were answered ok, or fail after guard_ms. */
static void
wait_cards(struct run *r, size_t n, int64_t guard_ms)
{
	if (fake_tg_wait_ok(r->tg, "sendMessage", n, (int)guard_ms) != 0)
		die("hang guard: %zu of %zu cards arrived (see %s)",
		    fake_tg_count_ok(r->tg, "sendMessage"), n, r->exlog);
}

/* VmHWM of pid in kB, 0 when it cannot be read. */
static long
hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The largest VmHWM of pid and its children; their sum into *sum. */
static long
tree_hwm_kb(pid_t pid, long *sum)
{
	long max = hwm_kb(pid), kb;
	struct dirent *e;
	DIR *d = opendir("/proc");

	*sum = max;
	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[300], buf[512], *p;
		int ppid = 0;
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		/* "pid (comm) S ppid …"; comm may hold spaces and parens */
		if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %*c %d", &ppid) != 1 || ppid != pid)
			continue;
		kb = hwm_kb(atoi(e->d_name));
		*sum += kb;
		if (kb > max)
			max = kb;
	}
	if (d != NULL)
		closedir(d);
	return max;
}

static int
stop(pid_t pid)
{
	int status = 0;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double
pct_ms(const int64_t *sorted, int n, double p)
{
	int i = (int)(p / 100.0 * n + 0.999999) - 1;

	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	return sorted[i] / 1e6;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_e2e --bin DRAFTBOT --dir DIR [--n N] "
	    "[--rate R] [--send-rate-global G]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const char *recv_argv[] = {"receive", "--listen", NULL, NULL};
	static const char *const exec_argv[] = {
	    "execute", "--workers", "2", NULL};
	struct run r = {.n = 300, .rate = 100};
	struct fake_tg_req *reqs = NULL;
	int64_t *post_ns, *lat, t0, guard_ms;
	long rx_kb, ex_kb, ex_sum = 0;
	size_t nreq = 0;
	char body[1024], text[64];
	int delivered = 0, dups = 0, bad = 0, rx_code, ex_code;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(argv[i], "--bin") == 0)
			r.bin = v;
		else if (strcmp(argv[i], "--dir") == 0)
			r.dir = v;
		else if (strcmp(argv[i], "--n") == 0)
			r.n = atoi(v);
		else if (strcmp(argv[i], "--rate") == 0)
			r.rate = atoi(v);
		else if (strcmp(argv[i], "--send-rate-global") == 0)
			r.send_rate = atoi(v);
		else
			usage();
		i++;
	}
	if (r.bin == NULL || r.dir == NULL || r.n < 1 || r.rate < 1)
		usage();
	snprintf(r.db, sizeof(r.db), "%s/e2e.db", r.dir);
	snprintf(r.rxlog, sizeof(r.rxlog), "%s/e2e-receiver.log", r.dir);
	snprintf(r.exlog, sizeof(r.exlog), "%s/e2e-executor.log", r.dir);
	snprintf(r.listen, sizeof(r.listen), "127.0.0.1:%d", free_port());
	snprintf(r.url, sizeof(r.url), "http://%s/telegram", r.listen);
	snprintf(r.health, sizeof(r.health), "http://%s/healthz", r.listen);
	post_ns = calloc((size_t)r.n, sizeof(*post_ns));
	lat = calloc((size_t)r.n, sizeof(*lat));
	if (post_ns == NULL || lat == NULL)
		die("out of memory");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (fake_tg_start(TOKEN, &r.tg) != 0)
		die("cannot start the fake Telegram");
	recv_argv[2] = r.listen;
	r.rx = spawn(&r, recv_argv, r.rxlog);
	wait_healthy(&r); /* the database exists before the executor starts */
	r.ex = spawn(&r, exec_argv, r.exlog);
	r.c = curl_easy_init();
	curl_easy_setopt(r.c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(r.c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(r.c, CURLOPT_NOSIGNAL, 1L);

	/* Warm up: first claims, time zone files, connections. */
	for (int i = 0; i < WARMUP; i++) {
		update(body, sizeof(body), 1000 + i, WARM_CHAT + i,
		    "warm up tomorrow");
		if (post(&r, body) != 200)
			die("warm-up POST failed (see %s)", r.rxlog);
	}
	wait_cards(&r, WARMUP, GUARD_MS);
	fake_tg_clear_requests(r.tg);

	/* The steady stream: POST i at t0 + i/rate, whatever came before. */
	t0 = mono_ns() + 10000000;
	for (int i = 0; i < r.n; i++) {
		struct timespec at;
		int64_t due = t0 + (int64_t)i * 1000000000 / r.rate;

		at.tv_sec = due / 1000000000;
		at.tv_nsec = due % 1000000000;
		while (clock_nanosleep(
		           CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
			;
		snprintf(text, sizeof(text), "buy milk #%d tomorrow 5pm", i);
		update(body, sizeof(body), 100000 + i, FIRST_CHAT + i, text);
		post_ns[i] = mono_ns();
		if (post(&r, body) != 200)
			bad++;
	}
	guard_ms = GUARD_MS +
	    (int64_t)r.n * 2000 / (r.send_rate > 0 ? r.send_rate : 30);
	wait_cards(&r, (size_t)(r.n - bad), guard_ms);
	/* a little longer, to see a duplicate if one comes */
	sleep_ms(200);

	if (fake_tg_requests(r.tg, "sendMessage", &reqs, &nreq) != 0)
		die("out of memory");
	for (size_t k = 0; k < nreq; k++) {
		int64_t i = reqs[k].chat_id - FIRST_CHAT;

		if (!reqs[k].ok || !reqs[k].has_chat_id || i < 0 || i >= r.n)
			continue;
		if (lat[i] != 0) {
			dups++;
			continue;
		}
		lat[i] = reqs[k].t_ns - post_ns[i];
		delivered++;
	}
	fake_tg_requests_free(reqs, nreq);
	rx_kb = hwm_kb(r.rx);
	ex_kb = tree_hwm_kb(r.ex, &ex_sum);
	rx_code = stop(r.rx);
	ex_code = stop(r.ex);
	curl_easy_cleanup(r.c);
	fake_tg_stop(r.tg);
	curl_global_cleanup();

	for (int i = 0, k = 0; i < r.n; i++)
		if (lat[i] != 0)
			lat[k++] = lat[i];
	qsort(lat, (size_t)delivered, sizeof(*lat), cmp_i64);
	if (r.send_rate > 0)
		snprintf(text, sizeof(text),
		    "%d (raised: the fake is not "
		    "Telegram)",
		    r.send_rate);
	else
		snprintf(text, sizeof(text), "30 (Telegram's)");
	printf("e2e: %d updates at %d/s (achieved %.1f/s), "
	       "send_rate_global %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
	       "%d delivered, %d duplicates, %d POSTs refused\n",
	    r.n, r.rate,
	    r.n > 1 ? (r.n - 1) * 1e9 / (double)(post_ns[r.n - 1] - post_ns[0])
	            : 0.0,
	    text, delivered ? pct_ms(lat, delivered, 50) : 0,
	    delivered ? pct_ms(lat, delivered, 99) : 0,
	    delivered ? lat[delivered - 1] / 1e6 : 0, delivered, dups, bad);
	printf("E2E n=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
	       "receiver_rss_kb=%ld executor_rss_kb=%ld "
	       "executor_rss_sum_kb=%ld delivered=%d duplicates=%d\n",
	    r.n, delivered ? pct_ms(lat, delivered, 50) : 0,
	    delivered ? pct_ms(lat, delivered, 99) : 0,
	    delivered ? lat[delivered - 1] / 1e6 : 0, rx_kb, ex_kb, ex_sum,
	    delivered, dups);
	free(post_ns);
	free(lat);
	if (rx_code != 0 || ex_code != 0)
		die("the receiver (%d) or the executor (%d) did not stop "
		    "cleanly",
		    rx_code, ex_code);
	return delivered == r.n && dups == 0 && bad == 0 ? 0 : 1;
}
