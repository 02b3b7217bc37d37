/*
 * fetch_int — what net/fetch.c (URLs, the transfer, redirects) and
 * net/fetch_addr.c (which addresses a host has, and which of them may be
 * used) share.  Private to net/.
 */
#ifndef DRAFTBOT_FETCH_INT_H
#define DRAFTBOT_FETCH_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define FETCH_ADDRS_MAX 16   /* addresses of one host kept (and pinned) */
#define FETCH_LOOKUP_MS 5000 /* longest name look-up, within the budget */

/* The checked addresses of one host, each with the URL's port. */
struct fetch_addrs {
	struct sockaddr_storage a[FETCH_ADDRS_MAX];
	size_t n;
	/* When fetch_resolve() returned -EPERM: the refused address as text
	 * and why (words that follow "… is", static). */
	char bad[INET6_ADDRSTRLEN];
	const char *why;
};

/*
 * Why the address sa may not be fetched, as words that follow "<address>
 * is" ("a private network address"), static text; or NULL when it may be.
 * An address in allow (see fetch_addr_blocked()) may always be fetched; an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged, and matched against
 * allow, as the IPv4 address it carries.  A family other than AF_INET and
 * AF_INET6 is refused.
 */
const char *fetch_addr_why(const struct sockaddr *sa, const char *allow);

/* 0 when allow is NULL, empty, or a list of which every entry parses as an
 * address or a CIDR block; -EINVAL otherwise. */
int fetch_allow_valid(const char *allow);

/*
 * The addresses of host (a name, or a numeric address without brackets)
 * for TCP port, every one of them checked with fetch_addr_why() against
 * allow, into *out.  Where they come from, first match wins: the test pins
 * in resolve ("host:port:address,…"; NULL none), the host read as a
 * numeric address, then getaddrinfo() on a helper thread, waited for until
 * deadline_ms (CLOCK_MONOTONIC, milliseconds) or FETCH_LOOKUP_MS, whichever
 * comes first — getaddrinfo() itself has no time-out; a look-up that
 * overruns is left to finish on its own thread and its answer thrown away.
 *
 * 0 with out->n ≥ 1; -EPERM when any address is refused (out->bad and
 * out->why say which and why); -ENOENT the name does not resolve; -EAGAIN
 * the resolver failed for now, or too many look-ups are still running;
 * -ETIMEDOUT; -EINVAL a malformed resolve; -ENOMEM.
 */
int fetch_resolve(const char *host, unsigned port, const char *resolve,
    const char *allow, int64_t deadline_ms, struct fetch_addrs *out);

/* Whether sa (as curl is about to connect to it) is one of a, port
 * included. */
bool fetch_addrs_has(const struct fetch_addrs *a, const struct sockaddr *sa);

/* sa's address as text ("10.0.0.1", "::1") into buf; "?" when unknown. */
void fetch_addr_text(const struct sockaddr *sa, char *buf, size_t len);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t fetch_now_ms(void);

#endif
