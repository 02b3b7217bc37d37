/*
 * fetch — get a page a person sent, safely: the URL checks, one transfer
 * per hop pinned to the addresses net/fetch_addr.c checked, redirects
 * followed here (never by curl), and the sentences that explain a refusal.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "net/curlx.h"
#include "net/fetch.h"
#include "net/fetch_int.h"

#ifndef DRAFTBOT_VERSION
#define DRAFTBOT_VERSION "dev"
#endif
#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_MAX_BYTES ((size_t)2 << 20)
#define MAX_REDIRECTS 5
#define CONNECT_TIMEOUT_MS 5000L
/* Slower than this many bytes a second for that many seconds is a drip
 * (or a server that has stopped), not a page worth the wait. */
#define LOW_SPEED_BYTES 256L
#define LOW_SPEED_SECONDS 8L
#define URL_MAX (sizeof(((struct fetch_result *)0)->final_url) - 1)
#define HOST_MAX 255
#define SCHEME_MAX 16
#define PIN_MAX (HOST_MAX + 8 + FETCH_ADDRS_MAX * (INET6_ADDRSTRLEN + 3))
#define NO_LINK "I can't open that: it is not a web link."
#define CANT "I can't open that link: "

/* One hop's URL, parsed and checked. */
struct target {
	char url[URL_MAX + 1];   /* normalised; what curl is given */
	char host[HOST_MAX + 1]; /* ASCII, no brackets */
	unsigned port;
	bool ics;     /* the path ends in .ics */
	bool numeric; /* host is an address, not a name */
};

/* Why a transfer was stopped from a callback. */
enum stop {
	STOP_NONE,
	STOP_REDIRECT, /* a 3xx with Location: no body wanted */
	STOP_STATUS,   /* another status that is not 2xx */
	STOP_TYPE,     /* a content type that is not accepted */
	STOP_BIG,      /* Content-Length or the body past max */
	STOP_NOMEM,
};

/* What one transfer saw. */
struct hop {
	const struct fetch_addrs *addrs;
	size_t max;
	bool ics;
	enum stop stop;
	long status;    /* of the last status line */
	long long clen; /* Content-Length, -1 when none */
	char ctype[128];
	char charset[64];
	char location[URL_MAX + 1];
	bool too_long_location;
	char *body; /* NUL-terminated when non-NULL */
	size_t len, cap;
	bool foreign; /* curl tried an address that was not checked */
	char foreign_addr[INET6_ADDRSTRLEN];
};

static void say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "2 MB", "64 KB", "900 bytes" — for a person, rounded down. */
static void
size_text(size_t n, char *buf, size_t len)
{
	if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
		snprintf(buf, len, "%zu MB", n >> 20);
	else if (n >= 10240)
		snprintf(buf, len, "%zu KB", n >> 10);
	else
		snprintf(buf, len, "%zu bytes", n);
}

static void
secs_text(long ms, char *buf, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(
		    buf, len, "%ld second%s", ms / 1000, ms == 1000 ? "" : "s");
	else
		snprintf(
		    buf, len, "%ld.%ld seconds", ms / 1000, (ms % 1000) / 100);
}

/*
 * The scheme of s into buf (lower case, letters, digits, + - . only) and
 * its length, or 0 when s does not start with "scheme:".
 */
static size_t
scheme_of(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
	    s[n] == '.')
		n++;
	if (s[n] != ':' || n >= len)
		return 0;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[n] = '\0';
	return n;
}

static bool
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool
ends_with_ics(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && strcasecmp(path + n - 4, ".ics") == 0;
}

/* The host of u, ASCII (punycode for an international name). */
static int
target_host(CURLU *u, struct target *t, char *err, size_t errlen)
{
	struct in6_addr a6;
	char *h = NULL;
	size_t n;
	int r = 0;

	if (cx.url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || h == NULL) {
		say(err, errlen, NO_LINK);
		return -EINVAL;
	}
	if (!ascii(h)) {
		cx.free(h);
		h = NULL;
		if (cx.url_get(u, CURLUPART_HOST, &h, CURLU_PUNYCODE) !=
		        CURLUE_OK ||
		    h == NULL || !ascii(h) ||
		    cx.url_set(u, CURLUPART_HOST, h, 0) != CURLUE_OK) {
			say(err, errlen,
			    CANT
			    "I can't handle international domain names here.");
			r = -EINVAL;
			goto out;
		}
	}
	n = strlen(h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		memmove(h, h + 1, n - 2);
		h[n - 2] = '\0';
		n -= 2;
	}
	if (n == 0 || n > HOST_MAX) {
		say(err, errlen, NO_LINK);
		r = -EINVAL;
		goto out;
	}
	memcpy(t->host, h, n + 1);
	t->numeric = inet_pton(AF_INET, t->host, &a6) == 1 ||
	    inet_pton(AF_INET6, t->host, &a6) == 1;
out:
	cx.free(h);
	return r;
}

/*
 * Parse and check url into *t: http or https only, no user name or
 * password, at most URL_MAX bytes.  redirected says the link came from a
 * site's redirect (the message says so).  0 or -EINVAL, -ENOMEM.
 */
static int
target_parse(const char *url, bool redirected, struct target *t, char *err,
    size_t errlen)
{
	const char *what = redirected ? "it redirects to " : "it is ";
	char scheme[SCHEME_MAX + 1];
	char *s = NULL, *user = NULL, *pass = NULL, *port = NULL;
	char *path = NULL;
	CURLU *u = NULL;
	unsigned long p;
	int r = -EINVAL;

	memset(t, 0, sizeof(*t));
	while (isspace((unsigned char)*url))
		url++;
	if (scheme_of(url, scheme, sizeof(scheme)) == 0) {
		if (redirected)
			say(err, errlen,
			    CANT "it redirects to something that is not a web "
			         "link.");
		else
			say(err, errlen, NO_LINK);
		return -EINVAL;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		say(err, errlen,
		    CANT "%sa %s: link, and I only open http and https links.",
		    what, scheme);
		return -EINVAL;
	}
	if (strlen(url) > URL_MAX) {
		say(err, errlen, CANT "%sa link that is too long.", what);
		return -EINVAL;
	}
	u = cx.url();
	if (u == NULL)
		return -ENOMEM;
	if (cx.url_set(u, CURLUPART_URL, url, CURLU_URLENCODE) != CURLUE_OK) {
		say(err, errlen, CANT "%sa link that is not written correctly.",
		    what);
		goto out;
	}
	if (cx.url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    cx.url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		/* Never echo the link: it holds a secret. */
		say(err, errlen,
		    CANT "%sa link with a user name or password in it.", what);
		goto out;
	}
	r = target_host(u, t, err, errlen);
	if (r < 0)
		goto out;
	r = -EINVAL;
	if (cx.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	        CURLUE_OK ||
	    port == NULL || (p = strtoul(port, NULL, 10)) == 0 || p > 65535) {
		say(err, errlen, CANT "%sa link with a bad port number.", what);
		goto out;
	}
	t->port = (unsigned)p;
	if (cx.url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
	    path != NULL)
		t->ics = ends_with_ics(path);
	if (cx.url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK || s == NULL ||
	    strlen(s) > URL_MAX) {
		say(err, errlen, CANT "%sa link that is not written correctly.",
		    what);
		goto out;
	}
	memcpy(t->url, s, strlen(s) + 1);
	r = 0;
out:
	if (pass != NULL)
		explicit_bzero(pass, strlen(pass));
	cx.free(s);
	cx.free(user);
	cx.free(pass);
	cx.free(port);
	cx.free(path);
	cx.url_cleanup(u);
	return r;
}

static bool
type_ok(const char *t, bool ics)
{
	static const char *const pages[] = {
	    "text/html", "application/xhtml+xml", "text/calendar"};
	static const char *const ics_too[] = {
	    "text/plain", "application/octet-stream"};

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(t, pages[i]) == 0)
			return true;
	for (size_t i = 0; ics && i < sizeof(ics_too) / sizeof(ics_too[0]); i++)
		if (strcmp(t, ics_too[i]) == 0)
			return true;
	return false;
}

/* A header's value: blanks trimmed, into buf (cut to fit).  Returns its
 * length before the cut. */
static size_t
header_value(const char *p, size_t n, char *buf, size_t len)
{
	size_t full;

	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	full = n;
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return full;
}

/* Whatever a server sent, printable before it goes into a sentence. */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			*s = '?';
}

/* "text/HTML; charset="UTF-8"" → media type (lower case) and charset. */
static void
parse_content_type(const char *v, struct hop *h)
{
	const char *semi = strchr(v, ';'), *cs;
	size_t n = semi ? (size_t)(semi - v) : strlen(v), i;

	header_value(v, n, h->ctype, sizeof(h->ctype));
	for (i = 0; h->ctype[i] != '\0'; i++)
		h->ctype[i] = (char)tolower((unsigned char)h->ctype[i]);
	h->charset[0] = '\0';
	for (cs = semi; cs != NULL; cs = strchr(cs + 1, ';')) {
		const char *a = cs + 1;

		while (isspace((unsigned char)*a))
			a++;
		if (strncasecmp(a, "charset=", 8) != 0)
			continue;
		a += 8;
		n = strcspn(a, ";");
		if (n > 0 && (*a == '"' || *a == '\'')) {
			a++;
			n = strcspn(a, "\"';");
		}
		header_value(a, n, h->charset, sizeof(h->charset));
	}
	printable(h->ctype);
	printable(h->charset);
}

/* The end of a response's headers: go on with the body or stop here. */
static bool
headers_done(struct hop *h)
{
	if (h->status < 200)
		return true; /* 1xx: the real answer follows */
	if (h->status >= 300 && h->status < 400 &&
	    (h->location[0] != '\0' || h->too_long_location)) {
		h->stop = STOP_REDIRECT;
		return false;
	}
	if (h->status >= 300) {
		h->stop = STOP_STATUS;
		return false;
	}
	if (!type_ok(h->ctype, h->ics)) {
		h->stop = STOP_TYPE;
		return false;
	}
	if (h->clen >= 0 && (unsigned long long)h->clen > h->max) {
		h->stop = STOP_BIG;
		return false;
	}
	return true;
}

/*
 * Each header line of each response (curl hands over whole lines).  The
 * decision is made at the blank line that ends a response's headers, so a
 * redirect, an error page, a wrong type or a body announced too large is
 * dropped before one byte of it is read.
 */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct hop *h = arg;
	size_t len = size * n;
	char v[32];

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', len);

		h->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		h->clen = -1;
		h->ctype[0] = h->charset[0] = h->location[0] = '\0';
		h->too_long_location = false;
	} else if (len >= 15 && strncasecmp(p, "content-length:", 15) == 0) {
		header_value(p + 15, len - 15, v, sizeof(v));
		h->clen =
		    isdigit((unsigned char)v[0]) ? strtoll(v, NULL, 10) : -1;
	} else if (len >= 13 && strncasecmp(p, "content-type:", 13) == 0) {
		char t[256];

		header_value(p + 13, len - 13, t, sizeof(t));
		parse_content_type(t, h);
	} else if (len >= 9 && strncasecmp(p, "location:", 9) == 0) {
		h->too_long_location = header_value(p + 9, len - 9, h->location,
		                           sizeof(h->location)) > URL_MAX;
	} else if (len <= 2 && (p[0] == '\r' || p[0] == '\n')) {
		if (!headers_done(h))
			return 0; /* stop the transfer here */
	}
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct hop *h = arg;
	size_t len = size * n, cap;
	char *d;

	if (len > h->max - h->len) {
		h->stop = STOP_BIG;
		return 0;
	}
	if (h->len + len + 1 > h->cap) {
		cap = h->cap ? h->cap : 16384;
		while (cap < h->len + len + 1)
			cap *= 2;
		d = realloc(h->body, cap);
		if (d == NULL) {
			h->stop = STOP_NOMEM;
			return 0;
		}
		h->body = d;
		h->cap = cap;
	}
	memcpy(h->body + h->len, p, len);
	h->len += len;
	h->body[h->len] = '\0';
	return len;
}

/*
 * The check at connect time: curl may only open a socket to an address
 * fetch_resolve() checked.  The pin (CURLOPT_RESOLVE) already makes curl
 * use those; this is the belt to its braces, should curl ever resolve the
 * name again, follow something or connect elsewhere.
 */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct hop *h = arg;

	if (purpose != CURLSOCKTYPE_IPCXN ||
	    !fetch_addrs_has(h->addrs, &a->addr)) {
		h->foreign = true;
		fetch_addr_text(
		    &a->addr, h->foreign_addr, sizeof(h->foreign_addr));
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* "host:port:addr1,addr2,…" for CURLOPT_RESOLVE. */
static int
pin_line(
    const struct target *t, const struct fetch_addrs *a, char *buf, size_t len)
{
	size_t off;
	char ip[INET6_ADDRSTRLEN];
	int n;

	n = snprintf(buf, len, "%s:%u:", t->host, t->port);
	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	off = (size_t)n;
	for (size_t i = 0; i < a->n; i++) {
		const struct sockaddr *sa = (const void *)&a->a[i];

		fetch_addr_text(sa, ip, sizeof(ip));
		n = snprintf(buf + off, len - off,
		    sa->sa_family == AF_INET6 ? "%s[%s]" : "%s%s", i ? "," : "",
		    ip);
		if (n < 0 || (size_t)n >= len - off)
			return -EINVAL;
		off += (size_t)n;
	}
	return 0;
}

static const char *
status_text(long s)
{
	static const struct {
		long status;
		const char *text;
	} texts[] = {
	    {400, "Bad Request"},
	    {401, "Unauthorized"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {405, "Method Not Allowed"},
	    {410, "Gone"},
	    {429, "Too Many Requests"},
	    {451, "Unavailable For Legal Reasons"},
	    {500, "Internal Server Error"},
	    {502, "Bad Gateway"},
	    {503, "Service Unavailable"},
	    {504, "Gateway Timeout"},
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].status == s)
			return texts[i].text;
	return NULL;
}

/* A transfer's end that is not a redirect and not a success. */
static int
hop_failure(const struct hop *h, const struct target *t, CURLcode cc,
    long timeout_ms, bool out_of_time, char *err, size_t errlen)
{
	char buf[64];
	const char *st;

	if (h->foreign) {
		say(err, errlen,
		    CANT "%s moved to %s while I was connecting, which I did "
		         "not check.",
		    t->host, h->foreign_addr);
		return -EPERM;
	}
	switch (h->stop) {
	case STOP_STATUS:
		st = status_text(h->status);
		say(err, errlen, CANT "the site answered %ld%s%s.", h->status,
		    st ? " " : "", st ? st : "");
		return -EREMOTEIO;
	case STOP_TYPE:
		if (h->ctype[0] == '\0')
			say(err, errlen,
			    CANT
			    "the site does not say what kind of file it is.");
		else
			say(err, errlen,
			    CANT "it is %s, not a web page or a calendar.",
			    h->ctype);
		return -EMEDIUMTYPE;
	case STOP_BIG:
		size_text(h->max, buf, sizeof(buf));
		say(err, errlen, CANT "the page is larger than %s.", buf);
		return -EFBIG;
	case STOP_NOMEM:
		say(err, errlen, CANT "I ran out of memory.");
		return -ENOMEM;
	default:
		break;
	}
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		secs_text(timeout_ms, buf, sizeof(buf));
		if (out_of_time)
			say(err, errlen, CANT "%s did not answer within %s.",
			    t->host, buf);
		else
			say(err, errlen, CANT "%s is sending it too slowly.",
			    t->host);
		return -ETIMEDOUT;
	case CURLE_FILESIZE_EXCEEDED:
		size_text(h->max, buf, sizeof(buf));
		say(err, errlen, CANT "the page is larger than %s.", buf);
		return -EFBIG;
	case CURLE_OUT_OF_MEMORY:
		say(err, errlen, CANT "I ran out of memory.");
		return -ENOMEM;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		say(err, errlen, CANT "the link is not one I can follow.");
		return -EINVAL;
	case CURLE_COULDNT_RESOLVE_HOST:
		say(err, errlen, CANT "I can't find the site %s.", t->host);
		return -ENOENT;
	case CURLE_COULDNT_CONNECT:
		say(err, errlen, CANT "I couldn't connect to %s.", t->host);
		return -EIO;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		say(err, errlen, CANT "the secure connection to %s failed.",
		    t->host);
		return -EIO;
	default:
		say(err, errlen, CANT "the connection to %s failed.", t->host);
		return -EIO;
	}
}

/* Everything a transfer is set up with; a failure here is a bug or a
 * libcurl too old, both -EIO. */
static int
hop_setup(CURL *c, const struct target *t, struct hop *h,
    struct curl_slist *pin, const char *ua, long remain_ms)
{
	CURLcode e = CURLE_OK;

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (e == CURLE_OK)                                             \
			e = cx.easy_setopt(c, opt, val);                       \
	} while (0)
	SET(CURLOPT_URL, t->url);
	SET(CURLOPT_NOSIGNAL, 1L);
	/* Redirects are ours to follow (each one checked again). */
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	/* An empty proxy turns off http_proxy and friends from the
	 * environment: a proxy would connect where we did not check. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_RESOLVE, pin);
	SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
	SET(CURLOPT_OPENSOCKETDATA, h);
	SET(CURLOPT_TIMEOUT_MS, remain_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    remain_ms < CONNECT_TIMEOUT_MS ? remain_ms : CONNECT_TIMEOUT_MS);
	SET(CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES);
	SET(CURLOPT_LOW_SPEED_TIME, LOW_SPEED_SECONDS);
	SET(CURLOPT_USERAGENT, ua);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, h);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_HTTPGET, 1L);
#undef SET
	if (e != CURLE_OK)
		return -EIO;
	/* Also refused by target_parse(); set here in case anything in curl
	 * would take another road.  Unknown before libcurl 7.85: then the
	 * check above stands alone. */
	e = cx.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (e == CURLE_OK)
		e = cx.easy_setopt(
		    c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (e != CURLE_OK && e != CURLE_UNKNOWN_OPTION)
		return -EIO;
	return 0;
}

/*
 * The next URL of a redirect: Location made absolute against t's URL.
 * Not CURLINFO_REDIRECT_URL: curl works that out only once a transfer has
 * ended normally, and ours stopped at the headers.  A Location with a
 * scheme is taken as it is, so that target_parse() can name a scheme curl
 * does not even know.  1 with next filled, or -EINVAL / -ENOMEM.
 */
static int
location_resolve(const struct target *t, const struct hop *h, char *next,
    size_t nextlen, char *err, size_t errlen)
{
	char scheme[SCHEME_MAX + 1];
	char *s = NULL;
	CURLU *u;
	int r = -EINVAL;

	if (h->too_long_location || strlen(h->location) >= nextlen) {
		say(err, errlen,
		    CANT "it redirects to a link that is too long.");
		return -EINVAL;
	}
	if (scheme_of(h->location, scheme, sizeof(scheme)) > 0) {
		memcpy(next, h->location, strlen(h->location) + 1);
		return 1;
	}
	u = cx.url();
	if (u == NULL) {
		say(err, errlen, CANT "I ran out of memory.");
		return -ENOMEM;
	}
	if (cx.url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK ||
	    cx.url_set(u, CURLUPART_URL, h->location, CURLU_URLENCODE) !=
	        CURLUE_OK ||
	    cx.url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK || s == NULL ||
	    strlen(s) >= nextlen) {
		say(err, errlen,
		    CANT
		    "it redirects to a link that is not written correctly.");
		goto out;
	}
	memcpy(next, s, strlen(s) + 1);
	r = 1;
out:
	cx.free(s);
	cx.url_cleanup(u);
	return r;
}

/*
 * One request to t, already checked, connecting only to addrs.  0 with the
 * body in *h; 1 with the next URL in next (a redirect); or -errno with the
 * message in err.
 */
static int
hop_run(const struct target *t, const struct fetch_addrs *addrs,
    const struct fetch_opts *o, size_t max, long timeout_ms, int64_t deadline,
    struct hop *h, char *next, size_t nextlen, char *err, size_t errlen)
{
	struct curl_slist *pin = NULL;
	char line[PIN_MAX];
	const char *ua = o->user_agent ? o->user_agent
	                               : "draftbot/" DRAFTBOT_VERSION
	                                 " (+event drafts)";
	long remain = (long)(deadline - fetch_now_ms());
	CURLcode cc;
	CURL *c = NULL;
	int r;

	memset(h, 0, sizeof(*h));
	h->addrs = addrs;
	h->max = max;
	h->ics = t->ics;
	h->clen = -1;
	if (remain <= 0) {
		char buf[64];

		secs_text(timeout_ms, buf, sizeof(buf));
		say(err, errlen, CANT "%s did not answer within %s.", t->host,
		    buf);
		return -ETIMEDOUT;
	}
	/* A numeric host is not resolved by curl, so there is nothing to pin
	 * (and curl cannot read "::1:80:[::1]"); open_socket() checks it. */
	if (!t->numeric) {
		r = pin_line(t, addrs, line, sizeof(line));
		if (r < 0) {
			say(err, errlen,
			    CANT "the link is not one I can follow.");
			return r;
		}
		pin = cx.slist_append(NULL, line);
		if (pin == NULL) {
			say(err, errlen, CANT "I ran out of memory.");
			return -ENOMEM;
		}
	}
	c = cx.easy_init();
	if (c == NULL) {
		say(err, errlen, CANT "I ran out of memory.");
		r = -ENOMEM;
		goto out;
	}
	r = hop_setup(c, t, h, pin, ua, remain);
	if (r < 0) {
		say(err, errlen, CANT "this libcurl cannot be set up safely.");
		goto out;
	}
	cc = cx.easy_perform(c);
	if (h->stop == STOP_REDIRECT && !h->foreign) {
		r = location_resolve(t, h, next, nextlen, err, errlen);
		goto out;
	}
	if (cc == CURLE_OK && h->stop == STOP_NONE && !h->foreign &&
	    h->status >= 200 && h->status < 300) {
		r = 0;
		goto out;
	}
	if (cc == CURLE_OK && h->stop == STOP_NONE && !h->foreign) {
		/* Only if curl ended without the headers we decide on. */
		say(err, errlen, CANT "the site's answer made no sense.");
		r = -EIO;
		goto out;
	}
	r = hop_failure(
	    h, t, cc, timeout_ms, fetch_now_ms() >= deadline - 50, err, errlen);
out:
	if (c != NULL)
		cx.easy_cleanup(c);
	cx.slist_free_all(pin);
	return r;
}

/* fetch_resolve()'s refusals as sentences. */
static int
resolve_failure(int r, const struct target *t, const struct fetch_addrs *a,
    char *err, size_t errlen)
{
	switch (r) {
	case -EPERM:
		if (!t->numeric)
			say(err, errlen, CANT "%s points to %s, %s.", t->host,
			    a->bad, a->why);
		else
			say(err, errlen, CANT "%s is %s.", a->bad, a->why);
		break;
	case -ENOENT:
		say(err, errlen, CANT "I can't find the site %s.", t->host);
		break;
	case -EAGAIN:
		say(err, errlen,
		    CANT "I can't look up %s right now; please try again in a "
		         "moment.",
		    t->host);
		break;
	case -ETIMEDOUT:
		say(err, errlen, CANT "looking up %s took too long.", t->host);
		break;
	case -ENOMEM:
		say(err, errlen, CANT "I ran out of memory.");
		break;
	default:
		say(err, errlen, CANT "the test address pins are malformed.");
		break;
	}
	return r;
}

static void
fill_result(struct fetch_result *res, struct hop *h, const struct target *t,
    int redirects)
{
	res->body = h->body;
	res->len = h->len;
	h->body = NULL;
	snprintf(res->content_type, sizeof(res->content_type), "%s", h->ctype);
	snprintf(res->charset, sizeof(res->charset), "%s", h->charset);
	snprintf(res->final_url, sizeof(res->final_url), "%s", t->url);
	res->http_status = (int)h->status;
	res->redirects = redirects;
}

int
fetch_url(const char *url, const struct fetch_opts *o, struct fetch_result *res,
    char *err, size_t errlen)
{
	static const struct fetch_opts none = {0};
	struct target t;
	struct fetch_addrs addrs;
	struct hop h = {0};
	char *cur = NULL, *next = NULL;
	long timeout_ms;
	size_t max;
	int64_t deadline;
	int redirects = 0, r;

	say(err, errlen, "%s", "");
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	if (o == NULL)
		o = &none;
	if (url == NULL || res == NULL || o->timeout_ms < 0) {
		say(err, errlen, NO_LINK);
		return -EINVAL;
	}
	timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	max = o->max_bytes ? o->max_bytes : DEFAULT_MAX_BYTES;
	deadline = fetch_now_ms() + timeout_ms;
	if (fetch_allow_valid(o->allow) < 0) {
		say(err, errlen,
		    "I can't open links: the fetch allow-list "
		    "(DRAFTBOT_FETCH_ALLOW) is not valid.");
		return -EINVAL;
	}
	r = curlx_load();
	if (r < 0) {
		/* The operator finds the details in curlx_load_error(). */
		say(err, errlen, "I can't open links right now: libcurl %s.",
		    r == -ENOSYS ? "is not installed" : "did not start");
		return r;
	}
	cur = malloc(URL_MAX + 1);
	next = malloc(URL_MAX + 1);
	if (cur == NULL || next == NULL) {
		say(err, errlen, CANT "I ran out of memory.");
		r = -ENOMEM;
		goto out;
	}
	snprintf(cur, URL_MAX + 1, "%s", url);
	if (strlen(url) > URL_MAX) {
		say(err, errlen, CANT "the link is too long.");
		r = -EINVAL;
		goto out;
	}
	for (;;) {
		r = target_parse(cur, redirects > 0, &t, err, errlen);
		if (r < 0)
			goto out;
		r = fetch_resolve(
		    t.host, t.port, o->resolve, o->allow, deadline, &addrs);
		if (r < 0) {
			resolve_failure(r, &t, &addrs, err, errlen);
			goto out;
		}
		r = hop_run(&t, &addrs, o, max, timeout_ms, deadline, &h, next,
		    URL_MAX + 1, err, errlen);
		if (r <= 0)
			break;
		free(h.body);
		h.body = NULL;
		if (redirects == MAX_REDIRECTS) {
			say(err, errlen,
			    CANT "it redirects more than %d times.",
			    MAX_REDIRECTS);
			r = -ELOOP;
			goto out;
		}
		redirects++;
		memcpy(cur, next, URL_MAX + 1);
	}
	if (r < 0)
		goto out;
	if (h.body == NULL) {
		h.body = calloc(1, 1);
		if (h.body == NULL) {
			say(err, errlen, CANT "I ran out of memory.");
			r = -ENOMEM;
			goto out;
		}
	}
	fill_result(res, &h, &t, redirects);
out:
	free(h.body);
	free(cur);
	free(next);
	return r;
}

void
fetch_result_free(struct fetch_result *res)
{
	if (res == NULL)
		return;
	free(res->body);
	res->body = NULL;
	res->len = 0;
}
