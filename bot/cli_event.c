/*
 * draftbot extract-event FILE|URL [--json]
 *
 * Show the events a web page or an iCalendar file holds, as the
 * event-from-URL workflow sees them.  FILE is read from disk (at most
 * EV_HTML_MAX bytes, nothing fetched); an argument starting with http://
 * or https:// is fetched with fetch_url() under the fetch_allow,
 * fetch_timeout and fetch_max_bytes settings.  Text that starts with
 * BEGIN:VCALENDAR, a text/calendar reply or a name ending in .ics goes to
 * ev_extract_ics(), the rest to ev_extract_html() with the URL as base.
 * "Upcoming" is measured from now; text dates are read in the tz setting.
 *
 * --json prints ev_list_to_json()'s object on one line; otherwise one
 * block per event for people.  Exit 0 when it ran (even with no event), 1
 * when the file cannot be read or the page cannot be fetched (why on
 * stderr), 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/cli.h"
#include "common/timeutil.h"
#include "events/event.h"
#include "net/fetch.h"

/* What was read, from disk or from the network. */
struct input {
	const char *body;
	size_t len;
	const char *content_type; /* "" for a file */
	const char *base_url;     /* "" for a file */
	char *file;               /* a file's bytes, owned */
	struct fetch_result res;  /* a page's reply, owned when fetched */
	bool fetched;
};

static bool
is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0;
}

/* Does the path part of name (a file name or a URL) end in ".ics"? */
static bool
ics_name(const char *name)
{
	size_t n = strcspn(name, is_url(name) ? "?#" : "");

	return n >= 4 && strncasecmp(name + n - 4, ".ics", 4) == 0;
}

/*
 * Read the file at path, refusing more than EV_HTML_MAX bytes.  Works for
 * pipes and devices too: the limit is checked on what is read, not on
 * what stat says.  0, or 1 after printing why.
 */
static int
read_file(const char *path, struct input *in)
{
	size_t cap = 64 * 1024, len = 0;
	struct stat st;
	char *buf = NULL;
	int fd, code = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_error("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uintmax_t)st.st_size > EV_HTML_MAX) {
			cli_error("%s is too large (%jd bytes): extract-event "
			          "reads at most %u bytes (2 MiB)",
			    path, (intmax_t)st.st_size, EV_HTML_MAX);
			goto out;
		}
		cap = (size_t)st.st_size + 1;
	}
	for (;;) {
		ssize_t got;

		if (len == cap || buf == NULL) {
			size_t nc = buf == NULL ? cap : cap * 2;
			char *nb;

			if (nc > EV_HTML_MAX + 1)
				nc = EV_HTML_MAX + 1;
			nb = realloc(buf, nc);
			if (nb == NULL) {
				cli_error("%s: out of memory", path);
				goto out;
			}
			buf = nb;
			cap = nc;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			cli_error("cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > EV_HTML_MAX) {
			cli_error(
			    "%s is too large: extract-event reads at most "
			    "%u bytes (2 MiB)",
			    path, EV_HTML_MAX);
			goto out;
		}
	}
	in->file = buf;
	in->body = buf;
	in->len = len;
	buf = NULL;
	code = 0;
out:
	free(buf);
	close(fd);
	return code;
}

/* Fetch url under the fetch_* settings.  0, or 1 after printing why. */
static int
fetch_input(struct cli *cli, const char *url, struct input *in)
{
	struct fetch_opts fo = {0};
	char err[FETCH_ERR_MAX] = "";
	int r;

	fo.allow = cfg_str(cli->cfg, "fetch_allow");
	fo.timeout_ms = (long)cfg_int(cli->cfg, "fetch_timeout");
	fo.max_bytes = (size_t)cfg_int(cli->cfg, "fetch_max_bytes");
	if (fo.max_bytes == 0 || fo.max_bytes > EV_HTML_MAX)
		fo.max_bytes = EV_HTML_MAX;
	r = fetch_url(url, &fo, &in->res, err, sizeof(err));
	if (r < 0)
		return cli_error("cannot fetch %s: %s", url,
		    err[0] != '\0' ? err : strerror(-r));
	in->fetched = true;
	in->body = in->res.body;
	in->len = in->res.len;
	in->content_type = in->res.content_type;
	in->base_url = in->res.final_url[0] != '\0' ? in->res.final_url : url;
	return 0;
}

/* Print s for a terminal: control bytes (escape sequences from a web
 * page) become spaces. */
static void
put_clean(const char *s)
{
	for (; *s != '\0'; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static void
field(const char *label, const char *value)
{
	if (value[0] == '\0')
		return;
	printf("  %-8s ", label);
	put_clean(value);
	putchar('\n');
}

/* The parts of a normalised time; false when s is not one. */
struct when {
	int y, mo, d, h, mi, s;
	bool has_time;
	const char *zone; /* what follows the time: "Z", "+02:00", "" */
};

static bool
split_time(const char *s, struct when *w)
{
	int n = 0;

	memset(w, 0, sizeof(*w));
	if (sscanf(s, "%4d-%2d-%2d%n", &w->y, &w->mo, &w->d, &n) != 3 ||
	    n != 10)
		return false;
	w->zone = s + n;
	if (s[n] != 'T')
		return s[n] == '\0';
	if (sscanf(s + n, "T%2d:%2d%n", &w->h, &w->mi, &n) != 2)
		return false;
	w->zone += n;
	if (w->zone[0] == ':' && sscanf(w->zone, ":%2d%n", &w->s, &n) == 1)
		w->zone += n;
	w->has_time = true;
	return true;
}

/* Day of the week, 0 = Sunday (Sakamoto). */
static int
weekday(int y, int m, int d)
{
	static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};

	y -= m < 3;
	return (y + y / 4 - y / 100 + y / 400 + t[(m - 1) % 12] + d) % 7;
}

static void
put_day(const struct when *w)
{
	static const char *const wd[] = {
	    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

	if (w->mo >= 1 && w->mo <= 12)
		printf("%s ", wd[weekday(w->y, w->mo, w->d)]);
	printf("%04d-%02d-%02d", w->y, w->mo, w->d);
}

static void
put_clock(const struct when *w)
{
	printf("%02d:%02d", w->h, w->mi);
	if (w->s != 0)
		printf(":%02d", w->s);
}

/* "Fri 2025-10-31 19:30 to 21:00 (Europe/Berlin)" and the like. */
static void
put_when(const struct ev_event *e)
{
	struct when a, b;
	bool has_end;

	printf("  %-8s ", "when");
	if (e->start[0] == '\0' || !split_time(e->start, &a)) {
		put_clean(e->start[0] != '\0' ? e->start : "unknown");
		putchar('\n');
		return;
	}
	has_end = e->end[0] != '\0' && split_time(e->end, &b);
	put_day(&a);
	if (a.has_time) {
		putchar(' ');
		put_clock(&a);
	}
	if (has_end) {
		printf(" to ");
		if (b.y != a.y || b.mo != a.mo || b.d != a.d || !b.has_time) {
			put_day(&b);
			if (b.has_time)
				putchar(' ');
		}
		if (b.has_time)
			put_clock(&b);
	}
	switch (e->tz_kind) {
	case EV_TZ_DATE:
		printf(" (all day)");
		break;
	case EV_TZ_FLOATING:
		printf(" (local time)");
		break;
	case EV_TZ_NAMED:
		printf(" (");
		put_clean(e->timezone);
		putchar(')');
		break;
	case EV_TZ_OFFSET:
		if (strcmp(a.zone, "Z") == 0)
			printf(" (UTC)");
		else if (a.zone[0] != '\0')
			printf(" (UTC%s)", a.zone);
		break;
	default:
		break;
	}
	putchar('\n');
}

static void
print_human(const struct ev_list *l)
{
	if (l->n == 0) {
		printf("No event found on this page.\n");
		return;
	}
	if (l->total > l->n)
		printf(
		    "%zu events found, the first %zu shown.\n", l->total, l->n);
	else if (l->n > 1)
		printf("%zu events found.\n", l->n);
	for (size_t k = 0; k < l->n; k++) {
		const struct ev_event *e = &l->ev[k];

		printf("%s", k > 0 ? "\n" : "");
		if (l->n > 1)
			printf("Event %zu%s\n", k + 1,
			    k == 0 ? " (the one a draft would use)" : "");
		field("name", e->name[0] != '\0' ? e->name : "(no name)");
		put_when(e);
		field("where", e->location);
		field("link", e->url);
		field("status", e->status);
		field("repeats", e->rrule);
		field("source", ev_source_name(e->source));
	}
}

int
cli_extract_event(struct cli *cli, int argc, char **argv)
{
	static const char usage[] =
	    "draftbot extract-event FILE|URL [--json]\n"
	    "  show the events of a web page or an iCalendar (.ics) file;\n"
	    "  FILE is read from disk (at most 2 MiB), http(s) URLs are "
	    "fetched";
	struct input in = {.content_type = "", .base_url = ""};
	struct ev_opts eo = {0};
	struct ev_list *l = NULL;
	const char *arg, *name;
	char *json;
	bool as_json = false, ics;
	int code, r;

	code = cli_json_args(argc, argv, "extract-event", usage, 1, &as_json);
	if (code >= 0)
		return code;
	arg = argv[optind];
	if (arg[0] == '\0')
		return cli_usage(
		    "extract-event: empty argument\nusage: %s", usage);
	code = is_url(arg) ? fetch_input(cli, arg, &in) : read_file(arg, &in);
	if (code != 0)
		goto out;
	name = in.base_url[0] != '\0' ? in.base_url : arg;
	ics = ev_is_ics(in.body, in.len) ||
	    strcmp(in.content_type, "text/calendar") == 0 || ics_name(name);
	eo.base_url = in.base_url[0] != '\0' ? in.base_url : NULL;
	eo.now_ms = time_now_ms();
	eo.tz = cli->cfg != NULL ? cfg_str(cli->cfg, "tz") : NULL;
	if (ics)
		r = ev_extract_ics(in.body, in.len, &eo, &l);
	else
		r = ev_extract_html(in.body, in.len, &eo, &l);
	if (r == -EBADMSG) {
		code = cli_error("%s is not an iCalendar file (it should "
		                 "start with BEGIN:VCALENDAR)",
		    arg);
		goto out;
	}
	if (r == -EFBIG) {
		code = cli_error("%s is too large: at most %u bytes (2 MiB)",
		    arg, EV_HTML_MAX);
		goto out;
	}
	if (r < 0) {
		code = cli_error(
		    "cannot read the events of %s: %s", arg, strerror(-r));
		goto out;
	}
	if (as_json) {
		json = ev_list_to_json(l);
		if (json == NULL) {
			code = cli_error("out of memory");
			goto out;
		}
		printf("%s\n", json);
		free(json);
	} else {
		print_human(l);
	}
	code = fflush(stdout) == 0 ? 0 : cli_error("cannot write the output");
out:
	ev_list_free(l);
	free(in.file);
	if (in.fetched)
		fetch_result_free(&in.res);
	return code;
}
