/*
 * bench_llm_e2e — end-to-end latency with the LLM in the loop, for
 * scripts/bench-llm: from the webhook POST of a message to its draft
 * card's sendMessage at the fake Telegram, reported apart for the messages
 * the LLM was asked about and for those the rules handled alone.
 *
 *   bench_llm_e2e --bin DRAFTBOT --dir DIR --data MESSAGES.jsonl
 *                 [--n N] [--rate R] [--llm-ms MS] [--workers W]
 *
 * Starts the fake Telegram (tests/fake_tg.h) and the fake LLM
 * (tests/fake_llm.h, answering every request after a fixed --llm-ms,
 * default 300) in this process, then `draftbot receive --listen
 * 127.0.0.1:PORT` and `draftbot execute --workers W` (default 2) as real
 * processes on DIR/llm-e2e.db, with the LLM configured as a custom
 * provider at the fake and the sender's overall rate raised to 1000/s (the
 * fake is not Telegram).  From the message set it takes the task and
 * event messages without a link (a link would make the bot fetch a page)
 * and sorts them by what the rules make of them now, in the zone the bot
 * uses (wf_classify, wf_confident): N messages (default 240) alternate
 * between the two kinds, POSTed at a steady R per second (default 6), each
 * from a chat of its own.  The fake LLM echoes every message as a task, so
 * every message asked about gets a card.
 *
 * Which messages went to the LLM is read afterwards from the audit log
 * (llm_used / llm_fallback by chat), not assumed; a message whose first
 * answer is not a card (the rules asked a question) is counted apart.
 * The last line is "LLME2E key=value …".  Exit 0, or 1 when something
 * failed: a POST refused, a card lost, a process that did not stop well.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/fake_llm.h"
#include "tests/fake_tg.h"
#include "tests/msgset.h"
#include "workflows/classify.h"

#define TOKEN "123456:BENCH-token_abcdefgh"
#define SECRET "bench-S3cret"
#define MODEL "bench-model"
#define TZ "Europe/Berlin"
#define WARMUP 4 /* of each kind */
#define WARM_CHAT 900000
#define FIRST_CHAT 1000000
#define GUARD_MS 30000 /* how long cards may lag the last POST */

struct run {
	const char *bin, *dir;
	int n, rate, llm_ms, workers;
	char db[512], rxlog[512], exlog[512];
	char listen[32], url[64], health[64];
	struct fake_tg *tg;
	struct fake_llm *llm;
	pid_t rx, ex;
	CURL *c;
};

/* One message sent: its text, what the rules made of it before, and what
 * happened. */
struct sent {
	const char *text; /* borrowed from the set */
	bool predicted;   /* the rules were not confident: the LLM's */
	int64_t post_ns;  /* when its POST began */
	int64_t card_ns;  /* when its first sendMessage came, 0: none */
	bool card;        /* that answer had buttons: a draft card */
	int llm;          /* 0 rules, 1 llm_used, 2 llm_fallback */
	bool refused;     /* the POST was not answered 200 */
};

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

	fputs("bench_llm_e2e: ", stderr);
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

/* Run the draftbot binary with argv, its output to log, configured for
 * the fakes through the environment. */
static pid_t
spawn(const struct run *r, const char *const *argv, const char *log)
{
	const char *args[8];
	char ms[32];
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
		unsetenv("DRAFTBOT_CONFIG");
		setenv("DRAFTBOT_DB", r->db, 1);
		setenv("DRAFTBOT_TZ", TZ, 1);
		setenv("DRAFTBOT_TELEGRAM_API", fake_tg_base_url(r->tg), 1);
		setenv("DRAFTBOT_TELEGRAM_TOKEN", TOKEN, 1);
		setenv("DRAFTBOT_WEBHOOK_SECRET", SECRET, 1);
		setenv("DRAFTBOT_LOG_LEVEL", "warn", 1);
		setenv("DRAFTBOT_SEND_RATE_GLOBAL", "1000", 1);
		setenv("DRAFTBOT_LLM_PROVIDER", "custom", 1);
		setenv("DRAFTBOT_LLM_URL", fake_llm_base_url(r->llm), 1);
		setenv("DRAFTBOT_LLM_MODEL", MODEL, 1);
		/* well above the fake's latency: no fallback by time-out */
		snprintf(ms, sizeof(ms), "%dms",
		    r->llm_ms * 4 < 10000 ? r->llm_ms * 4 + 1000 : 10000);
		setenv("DRAFTBOT_LLM_TIMEOUT", ms, 1);
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

/* A private text message from chat (also the sender) as Telegram sends
 * it, into buf. */
static void
update(char *buf, size_t len, int64_t id, int64_t chat, const char *text)
{
	json_object *up = json_object_new_object(), *m, *u, *c;

	m = json_object_new_object();
	u = json_object_new_object();
	c = json_object_new_object();
	json_object_object_add(u, "id", json_object_new_int64(chat));
	json_object_object_add(u, "is_bot", json_object_new_boolean(0));
	json_object_object_add(u, "first_name", json_object_new_string("Ann"));
	json_object_object_add(
	    u, "language_code", json_object_new_string("en"));
	json_object_object_add(c, "id", json_object_new_int64(chat));
	json_object_object_add(c, "first_name", json_object_new_string("Ann"));
	json_object_object_add(c, "type", json_object_new_string("private"));
	json_object_object_add(m, "message_id", json_object_new_int64(id));
	json_object_object_add(m, "from", u);
	json_object_object_add(m, "chat", c);
	json_object_object_add(
	    m, "date", json_object_new_int64(wall_ms() / 1000));
	json_object_object_add(m, "text", json_object_new_string(text));
	json_object_object_add(up, "update_id", json_object_new_int64(id));
	json_object_object_add(up, "message", m);
	snprintf(buf, len, "%s",
	    json_object_to_json_string_ext(up, JSON_C_TO_STRING_PLAIN));
	json_object_put(up);
}

/* Wait until n sendMessage calls were answered ok; false after guard_ms. */
static bool
wait_cards(struct run *r, size_t n, int64_t guard_ms)
{
	return fake_tg_wait_ok(r->tg, "sendMessage", n, (int)guard_ms) == 0;
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

/* The p-th percentile (nearest rank) of n sorted latencies, in ms. */
static double
pct_ms(const int64_t *sorted, size_t n, double p)
{
	long i = (long)(p / 100.0 * (double)n + 0.999999) - 1;

	if (n == 0)
		return 0;
	if (i < 0)
		i = 0;
	if ((size_t)i >= n)
		i = (long)n - 1;
	return (double)sorted[i] / 1e6;
}

/* May m be sent: a task or an event, and no link in it? */
static bool
usable(const struct msg *m)
{
	return (m->kind == WF_KIND_TASK || m->kind == WF_KIND_EVENT) &&
	    strstr(m->text, "://") == NULL && strstr(m->text, "www.") == NULL;
}

/* From the audit log: which chats' messages went to the LLM (1 used, 2
 * fell back), into s[i].llm for chat FIRST_CHAT + i. */
static void
read_llm_audit(const struct run *r, struct sent *s, int n)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_open_v2(r->db, &h, SQLITE_OPEN_READONLY, NULL) !=
	        SQLITE_OK ||
	    sqlite3_busy_timeout(h, 5000) != SQLITE_OK ||
	    sqlite3_prepare_v2(h,
	        "SELECT chat_id, action FROM audit_log WHERE action IN "
	        "('llm_used', 'llm_fallback')",
	        -1, &st, NULL) != SQLITE_OK)
		die("cannot read the audit log of %s: %s", r->db,
		    h ? sqlite3_errmsg(h) : "out of memory");
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t i = sqlite3_column_int64(st, 0) - FIRST_CHAT;
		const char *a = (const char *)sqlite3_column_text(st, 1);

		if (i >= 0 && i < n)
			s[i].llm = strcmp(a, "llm_used") == 0 ? 1 : 2;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* Latencies of the messages sent whose routing is want (true: the LLM),
 * sorted, into lat; their count. */
static size_t
latencies(const struct sent *s, int n, bool want, int64_t *lat)
{
	size_t k = 0;

	for (int i = 0; i < n; i++)
		if (s[i].card && (s[i].llm != 0) == want)
			lat[k++] = s[i].card_ns - s[i].post_ns;
	qsort(lat, k, sizeof(*lat), cmp_i64);
	return k;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_llm_e2e --bin DRAFTBOT --dir DIR --data FILE "
	    "[--n N] [--rate R] [--llm-ms MS] [--workers W]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const char *recv_argv[] = {"receive", "--listen", NULL, NULL};
	static const char *exec_argv[] = {"execute", "--workers", NULL, NULL};
	struct run r = {.n = 240, .rate = 6, .llm_ms = 300, .workers = 2};
	const char *data = NULL;
	struct msg *set = NULL;
	size_t nset = 0, npool[2] = {0, 0}, nreq = 0, nl, nr;
	const struct msg **pool[2];
	struct fake_tg_req *reqs = NULL;
	struct sent *s;
	int64_t *lat_l, *lat_r, t0;
	char body[4096], workers[16];
	int bad = 0, lost = 0, nocard = 0, fallbacks = 0, mispredicted = 0;
	int rx_code, ex_code, bad_line = 0;
	struct nlp_ref ref = {.tz = TZ};
	bool all_came;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(argv[i], "--bin") == 0)
			r.bin = v;
		else if (strcmp(argv[i], "--dir") == 0)
			r.dir = v;
		else if (strcmp(argv[i], "--data") == 0)
			data = v;
		else if (strcmp(argv[i], "--n") == 0)
			r.n = atoi(v);
		else if (strcmp(argv[i], "--rate") == 0)
			r.rate = atoi(v);
		else if (strcmp(argv[i], "--llm-ms") == 0)
			r.llm_ms = atoi(v);
		else if (strcmp(argv[i], "--workers") == 0)
			r.workers = atoi(v);
		else
			usage();
		i++;
	}
	if (r.bin == NULL || r.dir == NULL || data == NULL || r.n < 2 ||
	    r.rate < 1 || r.llm_ms < 0 || r.workers < 1)
		usage();
	if (msgset_load(data, &set, &nset, &bad_line) != 0)
		die("cannot read the message set %s (line %d)", data, bad_line);

	/* The two kinds, as the bot will read them now in its zone. */
	ref.now_ms = wall_ms();
	pool[0] = calloc(nset, sizeof(*pool[0]));
	pool[1] = calloc(nset, sizeof(*pool[1]));
	s = calloc((size_t)r.n, sizeof(*s));
	lat_l = calloc((size_t)r.n, sizeof(*lat_l));
	lat_r = calloc((size_t)r.n, sizeof(*lat_r));
	if (pool[0] == NULL || pool[1] == NULL || s == NULL || lat_l == NULL ||
	    lat_r == NULL)
		die("out of memory");
	for (size_t k = 0; k < nset; k++) {
		struct wf_reading rd;
		int llm;

		if (!usable(&set[k]) ||
		    wf_classify(set[k].text, &ref, &rd) != 0)
			continue;
		llm = !wf_confident(&rd);
		pool[llm][npool[llm]++] = &set[k];
	}
	if (npool[0] == 0 || npool[1] == 0)
		die("the set has no %s messages", npool[0] ? "unsure" : "sure");
	/* alternate: rules, LLM, rules, … cycling through each pool */
	for (int i = 0; i < r.n; i++) {
		int llm = i % 2;

		s[i].text = pool[llm][(size_t)(i / 2) % npool[llm]]->text;
		s[i].predicted = llm;
	}

	snprintf(r.db, sizeof(r.db), "%s/llm-e2e.db", r.dir);
	snprintf(r.rxlog, sizeof(r.rxlog), "%s/llm-e2e-receiver.log", r.dir);
	snprintf(r.exlog, sizeof(r.exlog), "%s/llm-e2e-executor.log", r.dir);
	snprintf(r.listen, sizeof(r.listen), "127.0.0.1:%d", free_port());
	snprintf(r.url, sizeof(r.url), "http://%s/telegram", r.listen);
	snprintf(r.health, sizeof(r.health), "http://%s/healthz", r.listen);
	snprintf(workers, sizeof(workers), "%d", r.workers);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (fake_tg_start(TOKEN, &r.tg) != 0)
		die("cannot start the fake Telegram");
	if (fake_llm_start(NULL, &r.llm) != 0)
		die("cannot start the fake LLM");
	fake_llm_set_delay_ms(r.llm, r.llm_ms);
	recv_argv[2] = r.listen;
	exec_argv[2] = workers;
	r.rx = spawn(&r, recv_argv, r.rxlog);
	wait_healthy(&r); /* the database exists before the executor starts */
	r.ex = spawn(&r, exec_argv, r.exlog);
	r.c = curl_easy_init();
	curl_easy_setopt(r.c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(r.c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(r.c, CURLOPT_NOSIGNAL, 1L);

	/* Warm up both paths: first claims, zone files, LLM connections. */
	for (int i = 0; i < 2 * WARMUP; i++) {
		update(body, sizeof(body), 1000 + i, WARM_CHAT + i,
		    pool[i % 2][(size_t)(i / 2) % npool[i % 2]]->text);
		if (post(&r, body) != 200)
			die("warm-up POST failed (see %s)", r.rxlog);
	}
	if (!wait_cards(&r, 2 * WARMUP, GUARD_MS))
		die("warm-up: %zu of %d answers came (see %s)",
		    fake_tg_count_ok(r.tg, "sendMessage"), 2 * WARMUP, r.exlog);
	fake_tg_clear_requests(r.tg);
	fake_llm_clear(r.llm);

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
		update(
		    body, sizeof(body), 100000 + i, FIRST_CHAT + i, s[i].text);
		s[i].post_ns = mono_ns();
		if (post(&r, body) != 200) {
			s[i].refused = true;
			bad++;
		}
	}
	all_came = wait_cards(&r, (size_t)(r.n - bad), GUARD_MS);
	sleep_ms(200); /* a little longer, to see a late one */

	if (fake_tg_requests(r.tg, "sendMessage", &reqs, &nreq) != 0)
		die("out of memory");
	for (size_t k = 0; k < nreq; k++) {
		int64_t i = reqs[k].chat_id - FIRST_CHAT;

		if (!reqs[k].ok || !reqs[k].has_chat_id || i < 0 || i >= r.n ||
		    s[i].card_ns != 0)
			continue;
		s[i].card_ns = reqs[k].t_ns;
		s[i].card = reqs[k].body != NULL &&
		    strstr(reqs[k].body, "inline_keyboard") != NULL;
	}
	fake_tg_requests_free(reqs, nreq);
	nreq = fake_llm_count(r.llm);
	rx_code = stop(r.rx);
	ex_code = stop(r.ex);
	curl_easy_cleanup(r.c);
	fake_tg_stop(r.tg);
	fake_llm_stop(r.llm);
	curl_global_cleanup();
	read_llm_audit(&r, s, r.n);

	for (int i = 0; i < r.n; i++) {
		if (s[i].refused)
			continue;
		if (s[i].card_ns == 0)
			lost++;
		else if (!s[i].card)
			nocard++;
		fallbacks += s[i].llm == 2;
		mispredicted += (s[i].llm != 0) != s[i].predicted;
	}
	nl = latencies(s, r.n, true, lat_l);
	nr = latencies(s, r.n, false, lat_r);
	printf("e2e: %d messages at %d/s, half of them ones the rules are "
	       "not sure of (from %zu such and %zu sure ones in the set); "
	       "fake LLM %d ms, %d workers, sender limit raised to 1000/s\n",
	    r.n, r.rate, npool[1], npool[0], r.llm_ms, r.workers);
	printf("e2e: through the LLM: %zu cards, p50 %.1f ms, p99 %.1f ms, "
	       "max %.1f ms (%zu LLM requests)\n",
	    nl, pct_ms(lat_l, nl, 50), pct_ms(lat_l, nl, 99),
	    pct_ms(lat_l, nl, 100), nreq);
	printf("e2e: by the rules alone: %zu cards, p50 %.1f ms, p99 %.1f ms, "
	       "max %.1f ms\n",
	    nr, pct_ms(lat_r, nr, 50), pct_ms(lat_r, nr, 99),
	    pct_ms(lat_r, nr, 100));
	printf("e2e: %d fell back to the rules, %d answered without a card, "
	       "%d routed otherwise than predicted, %d lost, %d POSTs "
	       "refused\n",
	    fallbacks, nocard, mispredicted, lost, bad);
	if (nl > 0)
		printf("LLME2E llm_n=%zu llm_p50_ms=%.1f llm_p99_ms=%.1f ", nl,
		    pct_ms(lat_l, nl, 50), pct_ms(lat_l, nl, 99));
	else
		printf("LLME2E llm_n=0 llm_p50_ms=NA llm_p99_ms=NA ");
	if (nr > 0)
		printf("rules_n=%zu rules_p50_ms=%.1f rules_p99_ms=%.1f ", nr,
		    pct_ms(lat_r, nr, 50), pct_ms(lat_r, nr, 99));
	else
		printf("rules_n=0 rules_p50_ms=NA rules_p99_ms=NA ");
	printf("fallbacks=%d nocard=%d lost=%d refused=%d llm_requests=%zu\n",
	    fallbacks, nocard, lost, bad, nreq);
	fflush(stdout);
	msgset_free(set, nset);
	free(pool[0]);
	free(pool[1]);
	free(s);
	free(lat_l);
	free(lat_r);
	if (!all_came)
		fprintf(stderr,
		    "bench_llm_e2e: %d answers never came (see %s)\n", lost,
		    r.exlog);
	if (rx_code != 0 || ex_code != 0)
		die("the receiver (%d) or the executor (%d) did not stop "
		    "cleanly",
		    rx_code, ex_code);
	return all_came && bad == 0 ? 0 : 1;
}
