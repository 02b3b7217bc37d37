/*
 * fetch_addr — which addresses a host has, and which of them a fetch may
 * use: the classification of IPv4 and IPv6 addresses, the allow-list of
 * the tests, and name look-ups bounded in time.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "net/fetch.h"
#include "net/fetch_int.h"

#define LOOKUPS_MAX 16 /* look-ups running at once, overrunning ones too */
#define ENTRY_MAX 64   /* one allow-list or pin entry */
#define HOST_MAX 255

#define WHY_PRIVATE "a private network address"
#define WHY_LOOPBACK "a loopback address (this machine)"
#define WHY_LINK_LOCAL "a link-local address"
#define WHY_UNSPECIFIED "an unspecified address"
#define WHY_MULTICAST "a multicast address"
#define WHY_RESERVED "a reserved address, not one on the public internet"

/* An address reduced to what the rules look at. */
struct ip {
	int family;    /* AF_INET or AF_INET6 */
	uint8_t b[16]; /* 4 bytes used for AF_INET */
};

struct range {
	uint8_t net[16];
	unsigned bits;
	const char *why; /* NULL: judge the IPv4 address inside instead */
	unsigned v4_at;  /* where that IPv4 address starts, in bytes */
};

/* Refused IPv4 blocks; the first match wins. */
static const struct range v4_ranges[] = {
    {{0, 0, 0, 0}, 8, WHY_UNSPECIFIED, 0},
    {{10, 0, 0, 0}, 8, WHY_PRIVATE, 0},
    {{100, 64, 0, 0}, 10, "a carrier-grade NAT address", 0},
    {{127, 0, 0, 0}, 8, WHY_LOOPBACK, 0},
    {{169, 254, 0, 0}, 16, WHY_LINK_LOCAL, 0},
    {{172, 16, 0, 0}, 12, WHY_PRIVATE, 0},
    {{192, 0, 0, 0}, 24, WHY_RESERVED, 0},   /* IETF protocol use */
    {{192, 0, 2, 0}, 24, WHY_RESERVED, 0},   /* documentation */
    {{192, 88, 99, 0}, 24, WHY_RESERVED, 0}, /* 6to4 relays */
    {{192, 168, 0, 0}, 16, WHY_PRIVATE, 0},
    {{198, 18, 0, 0}, 15, WHY_RESERVED, 0},   /* benchmarking */
    {{198, 51, 100, 0}, 24, WHY_RESERVED, 0}, /* documentation */
    {{203, 0, 113, 0}, 24, WHY_RESERVED, 0},  /* documentation */
    {{224, 0, 0, 0}, 4, WHY_MULTICAST, 0},
    {{255, 255, 255, 255}, 32, "the broadcast address", 0},
    {{240, 0, 0, 0}, 4, WHY_RESERVED, 0},
};

/*
 * IPv6 blocks; the first match wins.  The forms that carry an IPv4 address
 * (mapped, NAT64, 6to4) are judged by that address: a NAT64 gateway or a
 * 6to4 relay would forward to it.  Anything outside 2000::/3, the only
 * block handed out for the public internet, is refused at the end.
 */
static const struct range v6_ranges[] = {
    {{0}, 128, WHY_UNSPECIFIED, 0},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, WHY_LOOPBACK, 0},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, NULL, 12}, /* mapped */
    {{0, 0x64, 0xff, 0x9b}, 96, NULL, 12},                      /* NAT64 */
    {{0x20, 0x02}, 16, NULL, 2},                                /* 6to4 */
    {{0x20, 0x01, 0x0d, 0xb8}, 32, WHY_RESERVED, 0}, /* documentation */
    {{0x20, 0x01, 0x00, 0x00}, 23, WHY_RESERVED, 0}, /* Teredo, IETF */
    {{0x3f, 0xff, 0x00, 0x00}, 20, WHY_RESERVED, 0}, /* documentation */
    {{0xfc}, 7, WHY_PRIVATE, 0},                     /* unique local */
    {{0xfe, 0x80}, 10, WHY_LINK_LOCAL, 0},
    {{0xfe, 0xc0}, 10, WHY_PRIVATE, 0}, /* site-local, deprecated */
    {{0xff}, 8, WHY_MULTICAST, 0},
};

static bool
prefix_match(const uint8_t *a, const uint8_t *net, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	uint8_t mask;

	if (memcmp(a, net, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[whole] & mask) == (net[whole] & mask);
}

/* An IPv4-mapped IPv6 address becomes the IPv4 address it carries: that
 * is what a dual-stack socket connects to. */
static void
ip_from_sockaddr(const struct sockaddr *sa, struct ip *ip)
{
	static const uint8_t mapped[12] = {
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(ip, 0, sizeof(*ip));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		ip->family = AF_INET;
		memcpy(ip->b, &s4->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		ip->family = AF_INET6;
		memcpy(ip->b, &s6->sin6_addr, 16);
		if (memcmp(ip->b, mapped, sizeof(mapped)) == 0) {
			ip->family = AF_INET;
			memmove(ip->b, ip->b + 12, 4);
			memset(ip->b + 4, 0, 12);
		}
	}
}

/* Text to an address: "a.b.c.d" or IPv6, brackets allowed around IPv6.
 * Only the strict forms of inet_pton(): "0x7f.1" is not an address here. */
static int
ip_parse(const char *s, size_t n, struct ip *ip)
{
	char buf[INET6_ADDRSTRLEN + 2];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, buf, ip->b) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, ip->b) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

/* One allow-list entry, "addr" or "addr/bits", into *net and *bits. */
static int
cidr_parse(const char *s, size_t n, struct ip *net, unsigned *bits)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	unsigned max;
	char *end;
	char num[8];
	long v;
	size_t nlen;

	if (ip_parse(s, alen, net) < 0)
		return -EINVAL;
	max = net->family == AF_INET ? 32 : 128;
	*bits = max;
	if (slash == NULL)
		return 0;
	nlen = n - alen - 1;
	if (nlen == 0 || nlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, slash + 1, nlen);
	num[nlen] = '\0';
	if (!isdigit((unsigned char)num[0]))
		return -EINVAL;
	errno = 0;
	v = strtol(num, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > (long)max)
		return -EINVAL;
	*bits = (unsigned)v;
	return 0;
}

/* The next comma-separated entry of *p, blanks trimmed, as s[0..*n);
 * false at the end of the list.  Empty entries are skipped. */
static bool
next_entry(const char **p, const char **s, size_t *n)
{
	const char *q = *p, *e;

	for (;;) {
		while (*q == ',' || isspace((unsigned char)*q))
			q++;
		if (*q == '\0') {
			*p = q;
			return false;
		}
		e = q;
		while (*e != '\0' && *e != ',')
			e++;
		*p = e;
		while (e > q && isspace((unsigned char)e[-1]))
			e--;
		*s = q;
		*n = (size_t)(e - q);
		return true;
	}
}

/* Whether ip is in allow; an entry that does not parse allows nothing. */
static bool
allowed(const struct ip *ip, const char *allow)
{
	const char *p = allow, *s;
	struct ip net;
	unsigned bits;
	size_t n;

	if (allow == NULL)
		return false;
	while (next_entry(&p, &s, &n)) {
		if (cidr_parse(s, n, &net, &bits) < 0 ||
		    net.family != ip->family)
			continue;
		if (prefix_match(ip->b, net.b, bits))
			return true;
	}
	return false;
}

int
fetch_allow_valid(const char *allow)
{
	const char *p = allow, *s;
	struct ip net;
	unsigned bits;
	size_t n;

	if (allow == NULL)
		return 0;
	while (next_entry(&p, &s, &n))
		if (cidr_parse(s, n, &net, &bits) < 0)
			return -EINVAL;
	return 0;
}

static const char *
v4_why(const uint8_t *b)
{
	for (size_t i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++)
		if (prefix_match(b, v4_ranges[i].net, v4_ranges[i].bits))
			return v4_ranges[i].why;
	return NULL;
}

static const char *
v6_why(const uint8_t *b)
{
	static const uint8_t global[1] = {0x20};

	for (size_t i = 0; i < sizeof(v6_ranges) / sizeof(v6_ranges[0]); i++) {
		const struct range *r = &v6_ranges[i];

		if (!prefix_match(b, r->net, r->bits))
			continue;
		return r->why != NULL ? r->why : v4_why(b + r->v4_at);
	}
	if (!prefix_match(b, global, 3))
		return WHY_RESERVED;
	return NULL;
}

const char *
fetch_addr_why(const struct sockaddr *sa, const char *allow)
{
	struct ip ip;

	if (sa == NULL)
		return "not an internet address";
	ip_from_sockaddr(sa, &ip);
	if (ip.family == 0)
		return "not an internet address";
	if (allowed(&ip, allow))
		return NULL;
	return ip.family == AF_INET ? v4_why(ip.b) : v6_why(ip.b);
}

static void
sockaddr_from_ip(
    const struct ip *ip, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, ip->b, 4);
	} else {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, ip->b, 16);
	}
}

bool
fetch_addr_blocked(const char *addr, const char *allow)
{
	struct sockaddr_storage ss;
	struct ip ip;

	if (addr == NULL || ip_parse(addr, strlen(addr), &ip) < 0)
		return true;
	sockaddr_from_ip(&ip, 0, &ss);
	return fetch_addr_why((const struct sockaddr *)&ss, allow) != NULL;
}

void
fetch_addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL ||
	    inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

int64_t
fetch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
		                         *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return false;
}

bool
fetch_addrs_has(const struct fetch_addrs *a, const struct sockaddr *sa)
{
	if (a == NULL || sa == NULL)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (same_addr((const struct sockaddr *)&a->a[i], sa))
			return true;
	return false;
}

/* Check sa and keep it (once; past FETCH_ADDRS_MAX it is checked, not
 * kept).  0 or -EPERM with out->bad and out->why set. */
static int
addrs_add(struct fetch_addrs *out, const struct sockaddr *sa, unsigned port,
    const char *allow)
{
	struct sockaddr_storage ss;
	struct ip ip;
	const char *why = fetch_addr_why(sa, allow);

	if (why != NULL) {
		fetch_addr_text(sa, out->bad, sizeof(out->bad));
		out->why = why;
		return -EPERM;
	}
	/* Keep the family as given: curl connects with what is pinned. */
	memset(&ip, 0, sizeof(ip));
	ip.family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(ip.b,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    4);
	else
		memcpy(ip.b,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    16);
	sockaddr_from_ip(&ip, port, &ss);
	if (fetch_addrs_has(out, (const struct sockaddr *)&ss) ||
	    out->n == FETCH_ADDRS_MAX)
		return 0;
	out->a[out->n++] = ss;
	return 0;
}

static int
add_ip(struct fetch_addrs *out, const struct ip *ip, unsigned port,
    const char *allow)
{
	struct sockaddr_storage ss;

	sockaddr_from_ip(ip, port, &ss);
	return addrs_add(out, (const struct sockaddr *)&ss, port, allow);
}

/*
 * The pins of resolve for host and port into out.  1 when at least one
 * matched, 0 when none did, -EINVAL for a malformed entry, -EPERM.
 */
static int
resolve_pins(const char *resolve, const char *host, unsigned port,
    const char *allow, struct fetch_addrs *out)
{
	const char *p = resolve, *s, *c1, *c2;
	char num[8];
	struct ip ip;
	size_t n, hlen = strlen(host);
	unsigned long pport;
	char *end;
	int found = 0, r;

	if (resolve == NULL)
		return 0;
	while (next_entry(&p, &s, &n)) {
		c1 = memchr(s, ':', n);
		c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s)) : NULL;
		if (c1 == NULL || c2 == NULL || c1 == s || c2 - c1 - 1 <= 0 ||
		    (size_t)(c2 - c1 - 1) >= sizeof(num))
			return -EINVAL;
		memcpy(num, c1 + 1, (size_t)(c2 - c1 - 1));
		num[c2 - c1 - 1] = '\0';
		errno = 0;
		pport = strtoul(num, &end, 10);
		if (errno != 0 || *end != '\0' || pport > 65535 ||
		    ip_parse(c2 + 1, n - (size_t)(c2 + 1 - s), &ip) < 0)
			return -EINVAL;
		if ((size_t)(c1 - s) != hlen ||
		    strncasecmp(s, host, hlen) != 0 || pport != port)
			continue;
		r = add_ip(out, &ip, port, allow);
		if (r < 0)
			return r;
		found = 1;
	}
	return found;
}

/* One name look-up, shared by the caller and the thread running it. */
struct lookup {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int refs; /* 2 while both hold it */
	bool done;
	int rc;  /* getaddrinfo()'s */
	int err; /* errno, for EAI_SYSTEM */
	struct addrinfo *ai;
	char host[HOST_MAX + 1];
};

static atomic_int lookups; /* running now */

static void
lookup_unref(struct lookup *l)
{
	int left;

	pthread_mutex_lock(&l->lock);
	left = --l->refs;
	pthread_mutex_unlock(&l->lock);
	if (left > 0)
		return;
	if (l->ai != NULL)
		freeaddrinfo(l->ai);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static void *
lookup_run(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo hints = {0}, *ai = NULL;
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(l->host, NULL, &hints, &ai);
	pthread_mutex_lock(&l->lock);
	l->rc = rc;
	l->err = errno;
	l->ai = ai;
	l->done = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->lock);
	atomic_fetch_sub(&lookups, 1);
	lookup_unref(l);
	return NULL;
}

static struct lookup *
lookup_new(const char *host)
{
	struct lookup *l = calloc(1, sizeof(*l));
	pthread_condattr_t ca;

	if (l == NULL)
		return NULL;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	l->refs = 2;
	snprintf(l->host, sizeof(l->host), "%s", host);
	return l;
}

static int
gai_errno(int rc, int err)
{
	switch (rc) {
	case EAI_NONAME:
	case EAI_FAIL:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY:
#endif
		return -ENOENT;
	case EAI_AGAIN:
		return -EAGAIN;
	case EAI_MEMORY:
		return -ENOMEM;
	case EAI_SYSTEM:
		return err > 0 ? -err : -EIO;
	default:
		return -ENOENT;
	}
}

/*
 * getaddrinfo(host) on a thread of its own, waited for until deadline_ms.
 * On 0 the caller owns *ret (freeaddrinfo).
 */
static int
lookup(const char *host, int64_t deadline_ms, struct addrinfo **ret)
{
	struct lookup *l;
	struct timespec ts;
	pthread_attr_t attr;
	pthread_t t;
	int r = 0;

	if (atomic_fetch_add(&lookups, 1) >= LOOKUPS_MAX) {
		atomic_fetch_sub(&lookups, 1);
		return -EAGAIN;
	}
	l = lookup_new(host);
	if (l == NULL) {
		atomic_fetch_sub(&lookups, 1);
		return -ENOMEM;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, lookup_run, l) != 0) {
		pthread_attr_destroy(&attr);
		atomic_fetch_sub(&lookups, 1);
		l->refs = 1;
		lookup_unref(l);
		return -EAGAIN;
	}
	pthread_attr_destroy(&attr);
	ts.tv_sec = (time_t)(deadline_ms / 1000);
	ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
	pthread_mutex_lock(&l->lock);
	while (!l->done && r == 0)
		r = pthread_cond_timedwait(&l->cv, &l->lock, &ts);
	if (!l->done) {
		r = -ETIMEDOUT;
	} else if (l->rc != 0) {
		r = gai_errno(l->rc, l->err);
	} else {
		*ret = l->ai;
		l->ai = NULL;
		r = 0;
	}
	pthread_mutex_unlock(&l->lock);
	lookup_unref(l);
	return r;
}

int
fetch_resolve(const char *host, unsigned port, const char *resolve,
    const char *allow, int64_t deadline_ms, struct fetch_addrs *out)
{
	struct addrinfo *ai = NULL, *p;
	struct ip ip;
	int64_t cap = fetch_now_ms() + FETCH_LOOKUP_MS;
	int r;

	memset(out, 0, sizeof(*out));
	if (host == NULL || host[0] == '\0' || strlen(host) > HOST_MAX ||
	    port > 65535)
		return -EINVAL;
	r = resolve_pins(resolve, host, port, allow, out);
	if (r != 0)
		return r < 0 ? r : 0;
	if (ip_parse(host, strlen(host), &ip) == 0)
		return add_ip(out, &ip, port, allow);
	r = lookup(host, deadline_ms < cap ? deadline_ms : cap, &ai);
	if (r < 0)
		return r;
	for (p = ai; p != NULL && r == 0; p = p->ai_next)
		if (p->ai_family == AF_INET || p->ai_family == AF_INET6)
			r = addrs_add(out, p->ai_addr, port, allow);
	freeaddrinfo(ai);
	if (r == 0 && out->n == 0)
		r = -ENOENT;
	return r;
}
