/*
 * fetch — get a web page a person sent, safely (SSRF-hardened), on
 * libcurl (loaded at run time, see net/curlx.h).
 *
 * Only http and https.  The host name is resolved once by us; every
 * address is checked and loopback, private (10/8, 172.16/12, 192.168/16,
 * fc00::/7), link-local (169.254/16, fe80::/10), multicast, unspecified,
 * carrier-grade NAT (100.64/10), broadcast, IPv4-mapped/compatible forms of
 * those, and the other reserved ranges are refused; curl then connects to
 * exactly the address that was checked (CURLOPT_RESOLVE pinning plus a
 * check again at connect time), so DNS rebinding cannot slip through.
 * Redirects are followed by us, at most 5, each re-checked the same way.
 * Total time ≤ timeout_ms (default 10 s, including redirects); the body is
 * capped at max_bytes (default 2 MiB; reading stops past it); only
 * text/html, application/xhtml+xml and text/calendar (and .ics links sent
 * as text/plain or application/octet-stream) are accepted; a clear
 * User-Agent is sent.
 *
 * allow: a comma-separated list of addresses or CIDR blocks that are let
 * through despite the rules above (DRAFTBOT_FETCH_ALLOW; tests only).
 */
#ifndef DRAFTBOT_FETCH_H
#define DRAFTBOT_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#define FETCH_ERR_MAX 256

struct fetch_opts {
	const char *allow;      /* NULL: nothing extra allowed */
	long timeout_ms;        /* 0: 10000 */
	size_t max_bytes;       /* 0: 2 MiB */
	const char *user_agent; /* NULL: "draftbot/<version> (+event drafts)" */
	/* Tests only: "host:port:address" pins like curl's CURLOPT_RESOLVE
	 * applied before our own resolution (so a test name can "resolve"
	 * to 10.0.0.1); NULL none.  Comma-separated. */
	const char *resolve;
};

struct fetch_result {
	char *body;             /* NUL-terminated; caller frees */
	size_t len;
	char content_type[128]; /* media type, lower case, no parameters */
	char charset[64];       /* from the header, "" if none */
	char final_url[2048];   /* after redirects */
	int http_status;
	int redirects;
};

/*
 * Fetch url.  0 and *res filled (free res->body), or a negative errno code
 * with a sentence for the person in err (never NULL-terminated garbage):
 *   -EINVAL     not a URL, or a scheme other than http/https
 *   -EPERM      the address is not allowed ("… is a private address")
 *   -ENOENT     the name does not resolve
 *   -ELOOP      more than 5 redirects
 *   -EFBIG      the body is larger than max_bytes
 *   -ETIMEDOUT  slower than timeout_ms
 *   -EMEDIUMTYPE a content type that is not a page or a calendar
 *   -EREMOTEIO  an HTTP error status (4xx/5xx)
 *   -EIO        network error; -ENOSYS libcurl missing; -ENOMEM
 */
int fetch_url(const char *url, const struct fetch_opts *o,
    struct fetch_result *res, char *err, size_t errlen);

/* Is this numeric address (IPv4 or IPv6 text) one fetch_url() refuses,
 * given allow?  For tests and for the audit. */
bool fetch_addr_blocked(const char *addr, const char *allow);

void fetch_result_free(struct fetch_result *res); /* frees body only */

#endif
