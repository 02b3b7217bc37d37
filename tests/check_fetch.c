/*
 * check_fetch — net/fetch: the address rules, the URL checks, and whole
 * fetches against a small HTTP server on 127.0.0.1 that misbehaves on
 * request (endless bodies, a huge Content-Length, a drip, redirect chains
 * and redirects to where a fetch must not go).  No test needs the
 * internet: every refused address is refused before a connection.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/fetch.h"
#include "net/fetch_int.h"
#include "tests/testutil.h"

#define CONNS_MAX 64
#define REQ_MAX 8192

#define PAGE                                                                   \
	"<!doctype html><html><head><title>Jazz night</title></head>"          \
	"<body><h1>Jazz night</h1><p>Friday 20:00</p></body></html>"
#define BROKEN "<html><body><p>unclosed <div><b>bold <table><tr><td>x"
#define WRONG_CS                                                               \
	"<html><head><meta charset=\"utf-8\"></head><body>caf\xe9</body>"
#define VCAL                                                                   \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Jazz\r\n"   \
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

/* The test server: one thread accepting, one per connection. */
struct srv {
	int fd;
	unsigned port;
	atomic_bool stop;
	pthread_t accepter;
	pthread_mutex_t lock;
	pthread_t conns[CONNS_MAX];
	size_t n_conns;
	char last_host[256]; /* Host header of the last request */
};

struct conn {
	struct srv *s;
	int fd;
	char host[256]; /* the request's Host header */
};

static struct srv *S;

static int
send_all(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
respond(struct conn *c, const char *status, const char *extra, const char *body,
    size_t len)
{
	char head[1024];

	snprintf(head, sizeof(head),
	    "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    status, extra, len);
	if (send_all(c, head, strlen(head)) < 0)
		return -1;
	return send_all(c, body, len);
}

/* Wait up to ms for the peer to close (or the server to stop). */
static void
idle(struct conn *c, int ms)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	char buf[256];

	for (int waited = 0; waited < ms && !atomic_load(&c->s->stop);
	     waited += 100) {
		if (poll(&p, 1, 100) > 0 &&
		    recv(c->fd, buf, sizeof(buf), 0) <= 0)
			return;
	}
}

static void
redirect(struct conn *c, const char *to)
{
	char extra[600];

	snprintf(extra, sizeof(extra), "Location: %s\r\n", to);
	respond(c, "302 Found", extra, "moved", 5);
}

static void
serve(struct conn *c, const char *path)
{
	char buf[512];
	int n;

	if (strcmp(path, "/page") == 0) {
		respond(c, "200 OK",
		    "Content-Type: text/html; charset=UTF-8\r\n", PAGE,
		    strlen(PAGE));
	} else if (sscanf(path, "/redir/%d", &n) == 1) {
		if (n <= 0) {
			respond(c, "200 OK", "Content-Type: text/html\r\n",
			    PAGE, strlen(PAGE));
		} else {
			/* Odd steps absolute, even ones relative. */
			if (n % 2)
				snprintf(buf, sizeof(buf), "http://%s/redir/%d",
				    c->host, n - 1);
			else
				snprintf(buf, sizeof(buf), "/redir/%d", n - 1);
			redirect(c, buf);
		}
	} else if (strcmp(path, "/to-private") == 0) {
		redirect(c, "http://10.0.0.1/");
	} else if (strcmp(path, "/to-metadata") == 0) {
		redirect(c, "http://169.254.169.254/latest/meta-data/");
	} else if (strcmp(path, "/to-file") == 0) {
		redirect(c, "file:///etc/passwd");
	} else if (strcmp(path, "/to-gopher") == 0) {
		redirect(c, "gopher://127.0.0.1:70/");
	} else if (strcmp(path, "/to-creds") == 0) {
		snprintf(buf, sizeof(buf),
		    "http://user:hunter2@127.0.0.1:%u/page", c->s->port);
		redirect(c, buf);
	} else if (strcmp(path, "/endless") == 0) {
		static const char head[] =
		    "HTTP/1.1 200 OK\r\nContent-Type: "
		    "text/html\r\nConnection: close\r\n\r\n";

		memset(buf, 'x', sizeof(buf));
		if (send_all(c, head, strlen(head)) < 0)
			return;
		while (!atomic_load(&c->s->stop) &&
		    send_all(c, buf, sizeof(buf)) == 0)
			;
	} else if (strcmp(path, "/huge") == 0) {
		static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: "
		                           "text/html\r\nContent-Length: "
		                           "52428800\r\n\r\n<html>";

		/* Announce 50 MB, send none of it: a fetch that waits for
		 * the body runs into its time-out instead of -EFBIG. */
		if (send_all(c, head, strlen(head)) == 0)
			idle(c, 10000);
	} else if (strcmp(path, "/drip") == 0) {
		static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: "
		                           "text/html\r\nContent-Length: "
		                           "1000\r\n\r\n";

		if (send_all(c, head, strlen(head)) < 0)
			return;
		for (int i = 0; i < 1000 && !atomic_load(&c->s->stop); i++) {
			if (send_all(c, "x", 1) < 0)
				return;
			idle(c, 1000);
		}
	} else if (strcmp(path, "/png") == 0) {
		respond(c, "200 OK", "Content-Type: image/png\r\n",
		    "\x89PNG\r\n\x1a\n", 8);
	} else if (strcmp(path, "/cal") == 0) {
		respond(c, "200 OK",
		    "Content-Type: text/calendar; charset=utf-8\r\n", VCAL,
		    strlen(VCAL));
	} else if (strcmp(path, "/feed.ics") == 0 ||
	    strcmp(path, "/plain") == 0) {
		respond(c, "200 OK", "Content-Type: text/plain\r\n", VCAL,
		    strlen(VCAL));
	} else if (strcmp(path, "/xhtml") == 0) {
		respond(c, "200 OK", "Content-Type: application/xhtml+xml\r\n",
		    PAGE, strlen(PAGE));
	} else if (strcmp(path, "/notype") == 0) {
		respond(c, "200 OK", "", PAGE, strlen(PAGE));
	} else if (strcmp(path, "/500") == 0) {
		respond(c, "500 Internal Server Error",
		    "Content-Type: text/html\r\n", "oops", 4);
	} else if (strcmp(path, "/broken") == 0) {
		respond(c, "200 OK", "Content-Type: text/html\r\n", BROKEN,
		    strlen(BROKEN));
	} else if (strcmp(path, "/wrong-charset") == 0) {
		respond(c, "200 OK",
		    "Content-Type: TEXT/HTML; Charset=\"klingon\"\r\n",
		    WRONG_CS, strlen(WRONG_CS));
	} else {
		respond(c, "404 Not Found", "Content-Type: text/html\r\n",
		    "<h1>Not Found</h1>", 18);
	}
}

/* Read one request's head; its path into path. */
static int
read_request(struct conn *c, char *path, size_t len)
{
	char req[REQ_MAX + 1], *h, *e;
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	size_t n = 0;
	ssize_t got;

	while (n < REQ_MAX) {
		if (poll(&p, 1, 5000) <= 0)
			return -1;
		got = recv(c->fd, req + n, REQ_MAX - n, 0);
		if (got <= 0)
			return -1;
		n += (size_t)got;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	if (sscanf(req, "GET %255s ", path) != 1 || len < 256)
		return -1;
	h = strstr(req, "\r\nHost: ");
	if (h != NULL) {
		h += 8;
		e = strstr(h, "\r\n");
		snprintf(c->host, sizeof(c->host), "%.*s", (int)(e - h), h);
		pthread_mutex_lock(&c->s->lock);
		snprintf(
		    c->s->last_host, sizeof(c->s->last_host), "%s", c->host);
		pthread_mutex_unlock(&c->s->lock);
	}
	return 0;
}

static void *
conn_run(void *arg)
{
	struct conn *c = arg;
	char path[256];

	if (read_request(c, path, sizeof(path)) == 0)
		serve(c, path);
	shutdown(c->fd, SHUT_WR);
	close(c->fd);
	free(c);
	return NULL;
}

static void *
accept_run(void *arg)
{
	struct srv *s = arg;
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	struct conn *c;
	int fd;

	while (!atomic_load(&s->stop)) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		fd = accept(s->fd, NULL, NULL);
		if (fd < 0)
			continue;
		c = calloc(1, sizeof(*c));
		ck_assert_ptr_nonnull(c);
		c->s = s;
		c->fd = fd;
		pthread_mutex_lock(&s->lock);
		if (s->n_conns == CONNS_MAX ||
		    pthread_create(&s->conns[s->n_conns], NULL, conn_run, c) !=
		        0) {
			close(fd);
			free(c);
		} else {
			s->n_conns++;
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/*
 * A server on 127.0.0.1 (v6 false) or [::1] (v6 true).  NULL only when
 * [::1] cannot be had (a host without IPv6); anything else fails the test.
 */
static struct srv *
srv_start_on(bool v6)
{
	struct srv *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t alen = v6 ? sizeof(*a6) : sizeof(*a4);

	ck_assert_ptr_nonnull(s);
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (v6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
	} else {
		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	if (v6 &&
	    (s->fd < 0 || bind(s->fd, (struct sockaddr *)&ss, alen) < 0)) {
		if (s->fd >= 0)
			close(s->fd);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	ck_assert_int_ge(s->fd, 0);
	if (!v6)
		ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&ss, alen), 0);
	ck_assert_int_eq(listen(s->fd, 32), 0);
	ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&ss, &alen), 0);
	s->port = ntohs(v6 ? a6->sin6_port : a4->sin_port);
	ck_assert_int_eq(pthread_create(&s->accepter, NULL, accept_run, s), 0);
	return s;
}

static struct srv *
srv_start(void)
{
	return srv_start_on(false);
}

static void
srv_stop(struct srv *s)
{
	if (s == NULL)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->accepter, NULL);
	for (size_t i = 0; i < s->n_conns; i++)
		pthread_join(s->conns[i], NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void
setup(void)
{
	S = srv_start();
}

static void
teardown(void)
{
	srv_stop(S);
	S = NULL;
}

/* http://127.0.0.1:<port><path> of the test server. */
static const char *
at(const char *path)
{
	static char url[512];

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", S->port, path);
	return url;
}

static const struct fetch_opts allow_local = {
    .allow = "127.0.0.1", .timeout_ms = 5000};

/* Fetch with o, expecting r; on success the result is left in *res. */
static void
expect(const char *url, const struct fetch_opts *o, int want, const char *says,
    struct fetch_result *res)
{
	struct fetch_result tmp;
	char err[FETCH_ERR_MAX];
	int r;

	if (res == NULL)
		res = &tmp;
	memset(err, 'Z', sizeof(err));
	r = fetch_url(url, o, res, err, sizeof(err));
	ck_assert_ptr_nonnull(memchr(err, '\0', sizeof(err)));
	ck_assert_msg(r == want, "%s: got %d (%s: %s), want %d", url, r,
	    strerror(-r), err, want);
	if (want < 0) {
		ck_assert_ptr_null(res->body);
		ck_assert_msg(strstr(err, says) != NULL,
		    "%s: message \"%s\" lacks \"%s\"", url, err, says);
		ck_assert_msg(strncmp(err, "I can't", 7) == 0, "%s", err);
	} else {
		ck_assert_str_eq(err, "");
		ck_assert_ptr_nonnull(res->body);
	}
	if (res == &tmp)
		fetch_result_free(&tmp);
}

/* ---- fetch_addr_blocked ---- */

static const struct {
	const char *addr, *allow;
	bool blocked;
} addrs[] = {
    {"127.0.0.1", NULL, true},
    {"127.255.255.254", NULL, true},
    {"10.1.2.3", NULL, true},
    {"172.16.0.1", NULL, true},
    {"172.31.255.255", NULL, true},
    {"172.32.0.1", NULL, false},
    {"172.15.255.255", NULL, false},
    {"192.168.1.1", NULL, true},
    {"169.254.169.254", NULL, true},
    {"100.64.0.1", NULL, true},
    {"100.127.255.255", NULL, true},
    {"100.128.0.1", NULL, false},
    {"0.0.0.0", NULL, true},
    {"0.1.2.3", NULL, true},
    {"224.0.0.1", NULL, true},
    {"239.255.255.250", NULL, true},
    {"240.0.0.1", NULL, true},
    {"255.255.255.255", NULL, true},
    {"192.0.2.1", NULL, true},
    {"198.18.0.1", NULL, true},
    {"8.8.8.8", NULL, false},
    {"1.1.1.1", NULL, false},
    {"93.184.216.34", NULL, false},
    {"::", NULL, true},
    {"::1", NULL, true},
    {"[::1]", NULL, true},
    {"::ffff:127.0.0.1", NULL, true},
    {"::ffff:10.0.0.1", NULL, true},
    {"::ffff:169.254.169.254", NULL, true},
    {"::ffff:8.8.8.8", NULL, false},
    {"::10.0.0.1", NULL, true}, /* IPv4-compatible, deprecated */
    {"::8.8.8.8", NULL, true},
    {"64:ff9b::10.0.0.1", NULL, true},
    {"64:ff9b::7f00:1", NULL, true},
    {"64:ff9b::8.8.8.8", NULL, false},
    {"64:ff9b:1::1", NULL, true},
    {"2002:0a00:0001::1", NULL, true}, /* 6to4 of 10.0.0.1 */
    {"2002:7f00:1::", NULL, true},
    {"2002:0808:0808::1", NULL, false},
    {"2001::1", NULL, true}, /* Teredo */
    {"2001:db8::1", NULL, true},
    {"100::1", NULL, true},
    {"fc00::1", NULL, true},
    {"fd12:3456::1", NULL, true},
    {"fe80::1", NULL, true},
    {"febf::1", NULL, true},
    {"fec0::1", NULL, true},
    {"ff02::1", NULL, true},
    {"2001:4860:4860::8888", NULL, false},
    {"2606:4700:4700::1111", NULL, false},
    /* Not numeric addresses in the strict form: refused. */
    {"not an ip", NULL, true},
    {"", NULL, true},
    {NULL, NULL, true},
    {"0x7f.1", NULL, true},
    {"2130706433", NULL, true},
    {"127.1", NULL, true},
    {"fe80::1%eth0", NULL, true},
    {"8.8.8.8 ", NULL, true},
    /* The allow-list. */
    {"127.0.0.1", "127.0.0.1", false},
    {"127.0.0.2", "127.0.0.1", true},
    {"127.9.9.9", "127.0.0.0/8", false},
    {"10.0.0.1", "127.0.0.0/8,::1", true},
    {"::1", "127.0.0.0/8, ::1", false},
    {"::1", " 127.0.0.0/8 , [::1] ", false},
    {"::ffff:127.0.0.1", "127.0.0.1", false},
    {"10.1.2.3", "10.0.0.0/9", false},
    {"10.200.0.1", "10.0.0.0/9", true},
    {"fd00::5", "fd00::/8", false},
    {"fe80::1", "fd00::/8", true},
    {"192.168.1.1", "0.0.0.0/0", false},
    {"127.0.0.1", "::/0", true},
    {"127.0.0.1", "garbage", true},
    {"127.0.0.1", "127.0.0.1/33", true},
    {"127.0.0.1", "127.0.0.1/", true},
    {"127.0.0.1", "", true},
    {"127.0.0.1", ",,", true},
};

START_TEST(test_addr_blocked)
{
	ck_assert_msg(fetch_addr_blocked(addrs[_i].addr, addrs[_i].allow) ==
	        addrs[_i].blocked,
	    "%s (allow %s): want %s", addrs[_i].addr ? addrs[_i].addr : "NULL",
	    addrs[_i].allow ? addrs[_i].allow : "NULL",
	    addrs[_i].blocked ? "blocked" : "allowed");
}
END_TEST

START_TEST(test_allow_valid)
{
	ck_assert_int_eq(fetch_allow_valid(NULL), 0);
	ck_assert_int_eq(fetch_allow_valid(""), 0);
	ck_assert_int_eq(fetch_allow_valid("127.0.0.1"), 0);
	ck_assert_int_eq(fetch_allow_valid("127.0.0.0/8, ::1,fd00::/8"), 0);
	ck_assert_int_eq(fetch_allow_valid("127.0.0.1,nope"), -EINVAL);
	ck_assert_int_eq(fetch_allow_valid("10.0.0.0/33"), -EINVAL);
	ck_assert_int_eq(fetch_allow_valid("::1/129"), -EINVAL);
	ck_assert_int_eq(fetch_allow_valid("10.0.0.0/-1"), -EINVAL);
	ck_assert_int_eq(fetch_allow_valid("localhost"), -EINVAL);
}
END_TEST

static void
sin4(struct sockaddr_storage *ss, const char *ip, unsigned port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &s->sin_addr), 1);
}

/* The test pins, a numeric host, and the connect-time comparison. */
START_TEST(test_resolve_pins)
{
	struct fetch_addrs a;
	struct sockaddr_storage ss;
	int64_t later = fetch_now_ms() + 5000;

	ck_assert_int_eq(fetch_resolve("evil.test", 80, "evil.test:80:10.0.0.1",
	                     NULL, later, &a),
	    -EPERM);
	ck_assert_str_eq(a.bad, "10.0.0.1");
	ck_assert_str_eq(a.why, "a private network address");
	ck_assert_int_eq(fetch_resolve("ok.test", 80,
	                     "ok.test:80:8.8.8.8, OK.test:80:[2606:4700::1]",
	                     NULL, later, &a),
	    0);
	ck_assert_uint_eq(a.n, 2);
	sin4(&ss, "8.8.8.8", 80);
	ck_assert(fetch_addrs_has(&a, (struct sockaddr *)&ss));
	sin4(&ss, "8.8.8.8", 81);
	ck_assert(!fetch_addrs_has(&a, (struct sockaddr *)&ss));
	sin4(&ss, "8.8.4.4", 80);
	ck_assert(!fetch_addrs_has(&a, (struct sockaddr *)&ss));
	/* Any refused address refuses the name. */
	ck_assert_int_eq(fetch_resolve("mixed.test", 80,
	                     "mixed.test:80:8.8.8.8,mixed.test:80:127.0.0.1",
	                     NULL, later, &a),
	    -EPERM);
	ck_assert_str_eq(a.bad, "127.0.0.1");
	ck_assert_int_eq(
	    fetch_resolve("x.test", 80, "x.test:80", NULL, later, &a), -EINVAL);
	ck_assert_int_eq(fetch_resolve("x.test", 80, "x.test:eighty:1.2.3.4",
	                     NULL, later, &a),
	    -EINVAL);
	ck_assert_int_eq(
	    fetch_resolve("x.test", 80, "x.test:80:0x7f.1", NULL, later, &a),
	    -EINVAL);
	/* A numeric host needs no look-up. */
	ck_assert_int_eq(
	    fetch_resolve("1.2.3.4", 443, NULL, NULL, later, &a), 0);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_int_eq(
	    fetch_resolve("::1", 443, NULL, NULL, later, &a), -EPERM);
	ck_assert_str_eq(a.why, "a loopback address (this machine)");
	ck_assert_int_eq(fetch_resolve("::1", 443, NULL, "::1", later, &a), 0);
}
END_TEST

/* ---- whole fetches, allow-list on ---- */

START_TEST(test_page)
{
	struct fetch_result res;

	expect(at("/page"), &allow_local, 0, NULL, &res);
	ck_assert_str_eq(res.body, PAGE);
	ck_assert_uint_eq(res.len, strlen(PAGE));
	ck_assert_str_eq(res.content_type, "text/html");
	ck_assert_str_eq(res.charset, "UTF-8");
	ck_assert_str_eq(res.final_url, at("/page"));
	ck_assert_int_eq(res.http_status, 200);
	ck_assert_int_eq(res.redirects, 0);
	pthread_mutex_lock(&S->lock);
	ck_assert_str_eq(S->last_host, at("") + 7);
	pthread_mutex_unlock(&S->lock);
	fetch_result_free(&res);
	ck_assert_ptr_null(res.body);
	fetch_result_free(&res);
	fetch_result_free(NULL);
}
END_TEST

START_TEST(test_redirect_chain)
{
	struct fetch_result res;

	expect(at("/redir/5"), &allow_local, 0, NULL, &res);
	ck_assert_int_eq(res.redirects, 5);
	ck_assert_str_eq(res.final_url, at("/redir/0"));
	ck_assert_str_eq(res.body, PAGE);
	fetch_result_free(&res);
}
END_TEST

START_TEST(test_redirect_too_many)
{
	expect(at("/redir/6"), &allow_local, -ELOOP, "more than 5", NULL);
}
END_TEST

START_TEST(test_redirect_private)
{
	expect(at("/to-private"), &allow_local, -EPERM,
	    "10.0.0.1 is a private network address", NULL);
}
END_TEST

START_TEST(test_redirect_metadata)
{
	expect(at("/to-metadata"), &allow_local, -EPERM,
	    "169.254.169.254 is a link-local address", NULL);
}
END_TEST

START_TEST(test_redirect_file)
{
	expect(at("/to-file"), &allow_local, -EINVAL,
	    "redirects to a file: link", NULL);
	expect(at("/to-gopher"), &allow_local, -EINVAL, "gopher:", NULL);
}
END_TEST

START_TEST(test_redirect_credentials)
{
	char err[FETCH_ERR_MAX];
	struct fetch_result res;

	expect(at("/to-creds"), &allow_local, -EINVAL, "user name or password",
	    NULL);
	ck_assert_int_eq(
	    fetch_url(at("/to-creds"), &allow_local, &res, err, sizeof(err)),
	    -EINVAL);
	ck_assert_ptr_null(strstr(err, "hunter2"));
}
END_TEST

START_TEST(test_endless_body)
{
	struct fetch_opts o = allow_local;

	o.max_bytes = 65536;
	expect(at("/endless"), &o, -EFBIG, "larger than 64 KB", NULL);
}
END_TEST

START_TEST(test_huge_content_length)
{
	/* Refused from the header: waiting for the body would time out. */
	expect(at("/huge"), &allow_local, -EFBIG, "larger than 2 MB", NULL);
}
END_TEST

START_TEST(test_drip)
{
	struct fetch_opts o = allow_local;

	o.timeout_ms = 1500;
	expect(at("/drip"), &o, -ETIMEDOUT, "within 1.5 seconds", NULL);
}
END_TEST

START_TEST(test_not_a_page)
{
	expect(at("/png"), &allow_local, -EMEDIUMTYPE, "image/png", NULL);
	expect(at("/plain"), &allow_local, -EMEDIUMTYPE, "text/plain", NULL);
	expect(at("/notype"), &allow_local, -EMEDIUMTYPE, "kind of file", NULL);
}
END_TEST

START_TEST(test_calendar)
{
	struct fetch_result res;

	expect(at("/cal"), &allow_local, 0, NULL, &res);
	ck_assert_str_eq(res.content_type, "text/calendar");
	ck_assert_str_eq(res.charset, "utf-8");
	ck_assert_str_eq(res.body, VCAL);
	fetch_result_free(&res);
	/* An .ics link served as text/plain is a calendar too. */
	expect(at("/feed.ics"), &allow_local, 0, NULL, &res);
	ck_assert_str_eq(res.content_type, "text/plain");
	ck_assert_str_eq(res.body, VCAL);
	fetch_result_free(&res);
	expect(at("/xhtml"), &allow_local, 0, NULL, &res);
	ck_assert_str_eq(res.content_type, "application/xhtml+xml");
	fetch_result_free(&res);
}
END_TEST

START_TEST(test_http_errors)
{
	expect(at("/missing"), &allow_local, -EREMOTEIO, "404 Not Found", NULL);
	expect(at("/500"), &allow_local, -EREMOTEIO, "500", NULL);
}
END_TEST

START_TEST(test_broken_html)
{
	struct fetch_result res;

	expect(at("/broken"), &allow_local, 0, NULL, &res);
	ck_assert_str_eq(res.body, BROKEN);
	fetch_result_free(&res);
	expect(at("/wrong-charset"), &allow_local, 0, NULL, &res);
	ck_assert_str_eq(res.body, WRONG_CS);
	ck_assert_str_eq(res.content_type, "text/html");
	ck_assert_str_eq(res.charset, "klingon");
	fetch_result_free(&res);
}
END_TEST

/* A name goes through our look-up, the pin and the connect-time check. */
START_TEST(test_pinned_name)
{
	struct fetch_opts o = allow_local;
	struct fetch_result res;
	char pin[128], url[128], host[64];

	snprintf(pin, sizeof(pin), "site.test:%u:127.0.0.1", S->port);
	snprintf(url, sizeof(url), "http://site.test:%u/redir/3", S->port);
	snprintf(host, sizeof(host), "site.test:%u", S->port);
	o.resolve = pin;
	expect(url, &o, 0, NULL, &res);
	ck_assert_int_eq(res.redirects, 3);
	snprintf(url, sizeof(url), "http://site.test:%u/redir/0", S->port);
	ck_assert_str_eq(res.final_url, url);
	fetch_result_free(&res);
	snprintf(url, sizeof(url), "http://site.test:%u/page", S->port);
	expect(url, &o, 0, NULL, &res);
	ck_assert_str_eq(res.final_url, url);
	pthread_mutex_lock(&S->lock);
	ck_assert_str_eq(S->last_host, host);
	pthread_mutex_unlock(&S->lock);
	fetch_result_free(&res);
}
END_TEST

/* An IPv6 literal: not pinned (curl does not resolve it), checked at
 * connect time; and a name pinned to [::1].  Skipped without IPv6. */
START_TEST(test_ipv6)
{
	struct fetch_opts o = {.allow = "::1", .timeout_ms = 5000};
	struct fetch_result res;
	struct srv *s6 = srv_start_on(true);
	char url[128], pin[128];

	if (s6 == NULL)
		return;
	snprintf(url, sizeof(url), "http://[::1]:%u/page", s6->port);
	expect(url, &o, 0, NULL, &res);
	ck_assert_str_eq(res.body, PAGE);
	ck_assert_str_eq(res.final_url, url);
	fetch_result_free(&res);
	snprintf(url, sizeof(url), "http://[0:0::1]:%u/redir/2", s6->port);
	expect(url, &o, 0, NULL, &res);
	ck_assert_int_eq(res.redirects, 2);
	fetch_result_free(&res);
	snprintf(pin, sizeof(pin), "six.test:%u:[::1]", s6->port);
	snprintf(url, sizeof(url), "http://six.test:%u/page", s6->port);
	o.resolve = pin;
	expect(url, &o, 0, NULL, &res);
	fetch_result_free(&res);
	srv_stop(s6);
}
END_TEST

/* A proxy from the environment would connect where nothing was checked. */
START_TEST(test_env_proxy_ignored)
{
	struct fetch_result res;

	setenv("http_proxy", "http://127.0.0.1:1", 1);
	setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
	setenv("all_proxy", "http://127.0.0.1:1", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
	expect(at("/page"), &allow_local, 0, NULL, &res);
	ck_assert_str_eq(res.body, PAGE);
	fetch_result_free(&res);
}
END_TEST

/* ---- refusals with the allow-list off ---- */

static const struct {
	const char *url, *resolve;
	int r;
	const char *says;
} refused[] = {
    {"http://[::1]/", NULL, -EPERM, "::1 is a loopback address"},
    {"http://169.254.169.254/latest/meta-data/", NULL, -EPERM,
        "169.254.169.254 is a link-local address"},
    {"http://0x7f000001/", NULL, -EPERM, "127.0.0.1 is a loopback"},
    {"http://2130706433/", NULL, -EPERM, "127.0.0.1 is a loopback"},
    {"http://017700000001/", NULL, -EPERM, "127.0.0.1 is a loopback"},
    {"http://0x7f.1/", NULL, -EPERM, "127.0.0.1 is a loopback"},
    {"http://127.1:8080/", NULL, -EPERM, "127.0.0.1 is a loopback"},
    {"http://0.0.0.0/", NULL, -EPERM, "0.0.0.0 is an unspecified address"},
    {"http://[::ffff:127.0.0.1]/", NULL, -EPERM,
        "::ffff:127.0.0.1 is a loopback"},
    {"http://[::ffff:a9fe:a9fe]/", NULL, -EPERM, "link-local"},
    {"http://[fe80::1%25eth0]/", NULL, -EPERM, "fe80::1 is a link-local"},
    {"http://[64:ff9b::a00:1]/", NULL, -EPERM, "private network"},
    {"https://192.168.0.1/admin", NULL, -EPERM,
        "192.168.0.1 is a private network address"},
    {"http://100.100.100.200/", NULL, -EPERM, "carrier-grade NAT"},
    {"http://evil.test/", "evil.test:80:10.0.0.1", -EPERM,
        "evil.test points to 10.0.0.1, a private network address"},
    {"https://EVIL.test/x", "evil.test:443:[fd00::1]", -EPERM,
        "points to fd00::1, a private network address"},
    {"file:///etc/passwd", NULL, -EINVAL,
        "a file: link, and I only open http and https links"},
    {"gopher://x/", NULL, -EINVAL, "gopher:"},
    {"ftp://x/", NULL, -EINVAL, "ftp:"},
    {"dict://127.0.0.1:11211/", NULL, -EINVAL, "dict:"},
    {"data:text/html,<h1>hi</h1>", NULL, -EINVAL, "data:"},
    {"javascript:alert(1)", NULL, -EINVAL, "javascript:"},
    {"not a url", NULL, -EINVAL, "not a web link"},
    {"", NULL, -EINVAL, "not a web link"},
    {"   ", NULL, -EINVAL, "not a web link"},
    {"//example.com/", NULL, -EINVAL, "not a web link"},
    {"http://", NULL, -EINVAL, "not written correctly"},
    {"http://exa mple.com/", NULL, -EINVAL, "not written correctly"},
    {"http://example.com:99999/", NULL, -EINVAL, "not written correctly"},
    {"http://user:hunter2@127.0.0.1/", NULL, -EINVAL, "user name or password"},
    {"http://user@example.com/", NULL, -EINVAL, "user name or password"},
};

START_TEST(test_refused)
{
	struct fetch_opts o = {.timeout_ms = 3000};
	char err[FETCH_ERR_MAX];
	struct fetch_result res;

	o.resolve = refused[_i].resolve;
	expect(refused[_i].url, &o, refused[_i].r, refused[_i].says, NULL);
	/* Never the password, nor the whole link, in the message. */
	fetch_url(refused[_i].url, &o, &res, err, sizeof(err));
	ck_assert_ptr_null(strstr(err, "hunter2"));
	ck_assert_ptr_null(res.body);
}
END_TEST

/* The server runs, the address is refused all the same. */
START_TEST(test_refused_local_server)
{
	struct fetch_opts o = {.allow = "127.0.0.2"};
	char url[128];

	expect(at("/page"), NULL, -EPERM, "127.0.0.1 is a loopback", NULL);
	snprintf(url, sizeof(url), "http://localhost:%u/page", S->port);
	expect(url, NULL, -EPERM, "localhost points to", NULL);
	/* Only 127.0.0.2 allowed: 127.0.0.1 still refused. */
	expect(at("/page"), &o, -EPERM, "127.0.0.1 is a loopback", NULL);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct fetch_opts o = {.allow = "127.0.0.1,nonsense"};
	struct fetch_result res;
	char err[FETCH_ERR_MAX];
	char *long_url;

	ck_assert_int_eq(
	    fetch_url(NULL, NULL, &res, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(
	    fetch_url("http://example.com/", NULL, NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(
	    fetch_url("http://127.0.0.1/", &o, &res, NULL, 0), -EINVAL);
	expect("http://127.0.0.1/", &o, -EINVAL, "allow-list", NULL);
	/* A tiny err buffer is still NUL-terminated. */
	ck_assert_int_eq(fetch_url("gopher://x/", NULL, &res, err, 8), -EINVAL);
	ck_assert_uint_eq(strlen(err), 7);
	long_url = malloc(5000);
	ck_assert_ptr_nonnull(long_url);
	memset(long_url, 'a', 4999);
	long_url[4999] = '\0';
	memcpy(long_url, "http://x/", 9);
	expect(long_url, NULL, -EINVAL, "too long", NULL);
	free(long_url);
}
END_TEST

static Suite *
fetch_suite(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("addr");

	tcase_add_loop_test(
	    tc, test_addr_blocked, 0, (int)(sizeof(addrs) / sizeof(addrs[0])));
	tcase_add_test(tc, test_allow_valid);
	tcase_add_test(tc, test_resolve_pins);
	suite_add_tcase(s, tc);

	tc = tcase_create("allowed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_page);
	tcase_add_test(tc, test_redirect_chain);
	tcase_add_test(tc, test_redirect_too_many);
	tcase_add_test(tc, test_redirect_private);
	tcase_add_test(tc, test_redirect_metadata);
	tcase_add_test(tc, test_redirect_file);
	tcase_add_test(tc, test_redirect_credentials);
	tcase_add_test(tc, test_endless_body);
	tcase_add_test(tc, test_huge_content_length);
	tcase_add_test(tc, test_drip);
	tcase_add_test(tc, test_not_a_page);
	tcase_add_test(tc, test_calendar);
	tcase_add_test(tc, test_http_errors);
	tcase_add_test(tc, test_broken_html);
	tcase_add_test(tc, test_pinned_name);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_env_proxy_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(
	    tc, test_refused, 0, (int)(sizeof(refused) / sizeof(refused[0])));
	tcase_add_test(tc, test_refused_local_server);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(fetch_suite());
}
