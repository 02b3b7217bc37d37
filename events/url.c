/*
 * url — relative references resolved against a base URL, as RFC 3986
 * section 5.2 says (merge, remove dot segments), within fixed buffers.
 */
#include <errno.h>
#include <string.h>

#include "events/ev_int.h"

struct parts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_n, auth_n, path_n, query_n, frag_n;
	bool has_scheme, has_auth, has_query, has_frag;
};

static bool
is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static void
split(const char *s, size_t n, struct parts *p)
{
	size_t i = 0, start;

	memset(p, 0, sizeof(*p));
	if (n > 0 && is_alpha(s[0])) {
		size_t j = 1;

		while (j < n &&
		    (is_alpha(s[j]) || (s[j] >= '0' && s[j] <= '9') ||
		        s[j] == '+' || s[j] == '-' || s[j] == '.'))
			j++;
		if (j < n && s[j] == ':') {
			p->has_scheme = true;
			p->scheme = s;
			p->scheme_n = j;
			i = j + 1;
		}
	}
	if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		start = i;
		while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
			i++;
		p->has_auth = true;
		p->auth = s + start;
		p->auth_n = i - start;
	}
	start = i;
	while (i < n && s[i] != '?' && s[i] != '#')
		i++;
	p->path = s + start;
	p->path_n = i - start;
	if (i < n && s[i] == '?') {
		start = ++i;
		while (i < n && s[i] != '#')
			i++;
		p->has_query = true;
		p->query = s + start;
		p->query_n = i - start;
	}
	if (i < n && s[i] == '#') {
		p->has_frag = true;
		p->frag = s + i + 1;
		p->frag_n = n - i - 1;
	}
}

/* The dot-segment removal of RFC 3986 5.2.4 on in (modified), into out. */
static int
remove_dots(char *in, char *out, size_t cap, size_t *ret_n)
{
	size_t len = 0, i = 0;

	while (in[i] != '\0') {
		char *p = in + i;

		if (strncmp(p, "../", 3) == 0) {
			i += 3;
		} else if (strncmp(p, "./", 2) == 0) {
			i += 2;
		} else if (strncmp(p, "/./", 3) == 0) {
			i += 2;
		} else if (strcmp(p, "/.") == 0) {
			p[1] = '/';
			i += 1;
		} else if (strncmp(p, "/../", 4) == 0 ||
		    strcmp(p, "/..") == 0) {
			if (p[3] == '\0')
				p[2] = '/';
			i += p[3] == '\0' ? 2 : 3;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			i += strlen(p);
		} else {
			size_t k = p[0] == '/' ? 1 : 0;

			k += strcspn(p + k, "/");
			if (len + k + 1 > cap)
				return -ENAMETOOLONG;
			memcpy(out + len, p, k);
			len += k;
			i += k;
		}
	}
	out[len] = '\0';
	*ret_n = len;
	return 0;
}

struct out {
	char *p;
	size_t len, cap;
	bool over;
};

static void
emit(struct out *o, const char *s, size_t n)
{
	if (o->over || o->len + n + 1 > o->cap) {
		o->over = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

int
ev_url_resolve(
    const char *base, const char *ref, size_t n, char *out, size_t cap)
{
	char merged[2 * EV_URL_MAX + 2], path[2 * EV_URL_MAX + 2];
	struct parts b, r;
	const struct parts *from_auth, *from_query;
	struct out o = {out, 0, cap, cap == 0};
	size_t mlen = 0, plen;

	split(base, strlen(base), &b);
	split(ref, n, &r);
	from_auth = r.has_scheme || r.has_auth ? &r : &b;
	from_query = &r;
	if (r.has_scheme || r.has_auth || (r.path_n > 0 && r.path[0] == '/')) {
		if (r.path_n + 1 > sizeof(merged))
			return -ENAMETOOLONG;
		memcpy(merged, r.path, r.path_n);
		mlen = r.path_n;
	} else if (r.path_n == 0) {
		if (b.path_n + 1 > sizeof(merged))
			return -ENAMETOOLONG;
		memcpy(merged, b.path, b.path_n);
		mlen = b.path_n;
		if (!r.has_query)
			from_query = &b;
	} else {
		size_t keep = b.path_n;

		while (keep > 0 && b.path[keep - 1] != '/')
			keep--;
		if (b.has_auth && b.path_n == 0)
			merged[mlen++] = '/';
		if (mlen + keep + r.path_n + 1 > sizeof(merged))
			return -ENAMETOOLONG;
		memcpy(merged + mlen, b.path, keep);
		mlen += keep;
		memcpy(merged + mlen, r.path, r.path_n);
		mlen += r.path_n;
	}
	merged[mlen] = '\0';
	if (remove_dots(merged, path, sizeof(path), &plen) < 0)
		return -ENAMETOOLONG;
	if (r.has_scheme) {
		emit(&o, r.scheme, r.scheme_n);
		emit(&o, ":", 1);
	} else if (b.has_scheme) {
		emit(&o, b.scheme, b.scheme_n);
		emit(&o, ":", 1);
	}
	if (from_auth->has_auth) {
		emit(&o, "//", 2);
		emit(&o, from_auth->auth, from_auth->auth_n);
	}
	emit(&o, path, plen);
	if (from_query->has_query) {
		emit(&o, "?", 1);
		emit(&o, from_query->query, from_query->query_n);
	}
	if (r.has_frag) {
		emit(&o, "#", 1);
		emit(&o, r.frag, r.frag_n);
	}
	if (o.over) {
		if (cap > 0)
			out[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}
