/*
 * draftbot parse [--ref ISO] [--tz ZONE] [--forward] [--day-first]
 *                [--json] [TEXT...]
 *
 * With TEXT: explain what the rule-based parser finds in it (the
 * assistant's reading, as drafts use it), or print it as JSON (--json).
 * Without TEXT: read lines from stdin and write one JSON object per line,
 * in order.  A line is plain text, or a JSON object {"text": …, "ref":
 * "YYYY-MM-DDTHH:MM:SS", "tz": "Europe/Berlin" | "+02:00", "options":
 * {"forwardDate": true, "ahead": true, "dayFirst": true}} whose fields
 * override the command line's; ref is a wall-clock time in tz.  Output:
 * {"text", "matches": [{"index", "text", "start", "end", "rrule"}],
 * "title", "priority", "subtasks"}; a component the text does not state
 * is filled from the reference but left out of "known".  Stdin mode uses
 * chrono's reading unless --forward or an "ahead" option says otherwise;
 * "index" counts bytes.  NLP_PARSE_TIMING=1 adds "ns" (parse time).
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/cli.h"
#include "common/timeutil.h"
#include "workflows/nlp.h"

#define LINE_MAX_BYTES (256 * 1024)

struct parse_opts {
	const char *tz;
	const char *ref; /* NULL: now */
	struct nlp_opts nlp;
	bool day_first;
	bool timing;
};

/* "YYYY-MM-DDTHH:MM[:SS]" wall clock in tz → ms. */
static int
ref_ms(const char *ref, const char *tz, int64_t *ms)
{
	int y, m, d, h, mi, s = 0, n = 0;
	int64_t t;

	if (ref == NULL) {
		*ms = time_now_ms();
		return 0;
	}
	if (sscanf(ref, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &y, &m, &d, &h, &mi,
	        &n) != 5)
		return -EINVAL;
	if (ref[n] == ':') {
		if (sscanf(ref + n + 1, "%2d", &s) != 1 || s < 0 || s > 59)
			return -EINVAL;
		n += 3;
	}
	if (ref[n] != '\0')
		return -EINVAL;
	if (nlp_instant(tz, y, m, d, h, mi, &t) < 0)
		return -EINVAL;
	*ms = t + s * 1000;
	return 0;
}

/* JSON out, written by hand into a growing buffer: json-c's objects
 * cost more than the parse itself (scripts/bench-nlp). */
struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *b;

		while (cap < o->len + n + 1)
			cap *= 2;
		b = realloc(o->buf, cap);
		if (b == NULL) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_int(struct out *o, int64_t v)
{
	char b[24];
	int n = sizeof(b);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		b[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		b[--n] = '-';
	put(o, b + n, sizeof(b) - (size_t)n);
}

/* "2026-11-21T13:00:00.000Z" of ms, without stdio (H. Hinnant's
 * days-to-civil). */
static void
put_instant(struct out *o, int64_t ms)
{
	int64_t t = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t z = (t >= 0 ? t / 86400 : (t - 86399) / 86400), era, doe, yoe,
	        doy, mp, y;
	int sod = (int)(t - z * 86400), m, d, milli = (int)(ms - t * 1000);
	char b[32];

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (m <= 2);
	if (y < 0 || y > 9999)
		return;
	b[0] = '"';
	b[1] = (char)('0' + y / 1000);
	b[2] = (char)('0' + y / 100 % 10);
	b[3] = (char)('0' + y / 10 % 10);
	b[4] = (char)('0' + y % 10);
	b[5] = '-';
	b[6] = (char)('0' + m / 10);
	b[7] = (char)('0' + m % 10);
	b[8] = '-';
	b[9] = (char)('0' + d / 10);
	b[10] = (char)('0' + d % 10);
	b[11] = 'T';
	b[12] = (char)('0' + sod / 36000);
	b[13] = (char)('0' + sod / 3600 % 10);
	b[14] = ':';
	b[15] = (char)('0' + sod / 600 % 6);
	b[16] = (char)('0' + sod / 60 % 10);
	b[17] = ':';
	b[18] = (char)('0' + sod % 60 / 10);
	b[19] = (char)('0' + sod % 10);
	b[20] = '.';
	b[21] = (char)('0' + milli / 100);
	b[22] = (char)('0' + milli / 10 % 10);
	b[23] = (char)('0' + milli % 10);
	b[24] = 'Z';
	b[25] = '"';
	puts_(o, ",\"instant\":");
	put(o, b, 26);
}

/* A JSON string: quotes, backslashes and control bytes escaped, UTF-8
 * passed as it is. */
static void
put_str(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t from = 0;

	put(o, "\"", 1);
	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)s[k];
		char esc[6] = {'\\', 'u', '0', '0', 0, 0};

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		put(o, s + from, k - from);
		from = k + 1;
		if (ch == '"' || ch == '\\') {
			esc[1] = (char)ch;
			put(o, esc, 2);
		} else if (ch == '\n') {
			put(o, "\\n", 2);
		} else if (ch == '\t') {
			put(o, "\\t", 2);
		} else if (ch == '\r') {
			put(o, "\\r", 2);
		} else {
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			put(o, esc, 6);
		}
	}
	put(o, s + from, n - from);
	put(o, "\"", 1);
}

static void
put_moment(struct out *o, const struct nlp_moment *m)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
	    {"year", NLP_YEAR},
	    {"month", NLP_MONTH},
	    {"day", NLP_DAY},
	    {"hour", NLP_HOUR},
	    {"minute", NLP_MINUTE},
	    {"second", NLP_SECOND},
	    {"weekday", NLP_WEEKDAY},
	    {"offset", NLP_OFFSET},
	};
	bool first = true;

	puts_(o, "{\"year\":");
	put_int(o, m->year);
	puts_(o, ",\"month\":");
	put_int(o, m->month);
	puts_(o, ",\"day\":");
	put_int(o, m->day);
	puts_(o, ",\"hour\":");
	put_int(o, m->hour);
	puts_(o, ",\"minute\":");
	put_int(o, m->minute);
	puts_(o, ",\"second\":");
	put_int(o, m->second);
	puts_(o, ",\"weekday\":");
	put_int(o, m->weekday);
	if (m->known & NLP_OFFSET) {
		puts_(o, ",\"offset\":");
		put_int(o, m->offset);
	}
	puts_(o, ",\"known\":[");
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (!(m->known & names[k].bit))
			continue;
		if (!first)
			put(o, ",", 1);
		put_str(o, names[k].name, strlen(names[k].name));
		first = false;
	}
	put(o, "]", 1);
	if (m->year >= 1 && m->year <= 9999)
		put_instant(o, m->ms);
	if (m->dst != NLP_DST_NONE)
		puts_(o,
		    m->dst == NLP_DST_GAP ? ",\"dst\":\"gap\""
		                          : ",\"dst\":\"repeated\"");
	put(o, "}", 1);
}

static void
put_result(
    struct out *o, const char *text, const struct nlp_result *res, int64_t ns)
{
	puts_(o, "{\"text\":");
	put_str(o, text, strlen(text));
	puts_(o, ",\"matches\":[");
	for (int k = 0; k < res->nmatches; k++) {
		const struct nlp_match *m = &res->matches[k];

		puts_(o, k > 0 ? ",{\"index\":" : "{\"index\":");
		put_int(o, (int64_t)m->index);
		puts_(o, ",\"text\":");
		put_str(o, text + m->index, m->len);
		puts_(o, ",\"start\":");
		put_moment(o, &m->start);
		puts_(o, ",\"end\":");
		if (m->has_end)
			put_moment(o, &m->end);
		else
			puts_(o, "null");
		puts_(o, ",\"rrule\":");
		if (m->rrule[0] != '\0')
			put_str(o, m->rrule, strlen(m->rrule));
		else
			puts_(o, "null");
		put(o, "}", 1);
	}
	puts_(o, "],\"title\":");
	put_str(o, res->title, strlen(res->title));
	puts_(o, ",\"priority\":");
	put_int(o, res->priority);
	puts_(o, ",\"subtasks\":[");
	for (int k = 0; k < res->nsubtasks; k++) {
		if (k > 0)
			put(o, ",", 1);
		put_str(o, res->subtasks[k], strlen(res->subtasks[k]));
	}
	put(o, "]", 1);
	if (ns >= 0) {
		puts_(o, ",\"ns\":");
		put_int(o, ns);
	}
	puts_(o, "}\n");
}

static void
put_error(struct out *o, const char *text, const char *why)
{
	puts_(o, "{\"text\":");
	if (text != NULL)
		put_str(o, text, strlen(text));
	else
		puts_(o, "null");
	puts_(o, ",\"error\":");
	put_str(o, why, strlen(why));
	puts_(o, "}\n");
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One input line: plain text or a JSON object.  Appends one JSON line to
 * o.  ref_now is the command line's reference, worked out once. */
static void
parse_line(const char *line, const struct parse_opts *po, int64_t ref_now,
    struct nlp_result *res, struct out *o)
{
	struct json_object *in = NULL, *v, *opt;
	const char *text = line, *tz = po->tz, *ref = NULL;
	struct nlp_opts nopts = po->nlp;
	struct nlp_ref nref = {ref_now, NULL, po->day_first};
	bool own_ref = false;
	int64_t t0 = 0;

	if (line[0] == '{') {
		in = json_tokener_parse(line);
		if (in == NULL || !json_object_is_type(in, json_type_object)) {
			put_error(o, NULL, "not a JSON object");
			json_object_put(in);
			return;
		}
		if (json_object_object_get_ex(in, "text", &v))
			text = json_object_get_string(v);
		if (json_object_object_get_ex(in, "tz", &v)) {
			tz = json_object_get_string(v);
			own_ref = true;
		}
		if (json_object_object_get_ex(in, "ref", &v)) {
			ref = json_object_get_string(v);
			own_ref = true;
		}
		if (json_object_object_get_ex(in, "options", &opt)) {
			if (json_object_object_get_ex(opt, "forwardDate", &v))
				nopts.forward_date = json_object_get_boolean(v);
			if (json_object_object_get_ex(opt, "ahead", &v))
				nopts.ahead = json_object_get_boolean(v);
			if (json_object_object_get_ex(opt, "dayFirst", &v))
				nref.day_first = json_object_get_boolean(v);
		}
		if (text == NULL)
			text = "";
	}
	nref.tz = tz;
	if (own_ref &&
	    ref_ms(ref != NULL ? ref : po->ref, tz, &nref.now_ms) < 0) {
		put_error(o, text, "bad ref or tz");
		json_object_put(in);
		return;
	}
	if (po->timing)
		t0 = now_ns();
	if (nlp_parse(text, &nref, &nopts, res) < 0)
		put_error(o, text, "bad time zone");
	else
		put_result(o, text, res, po->timing ? now_ns() - t0 : -1);
	json_object_put(in);
}

static int
parse_stdin(const struct parse_opts *po)
{
	struct nlp_result *res = malloc(sizeof(*res));
	char *line = malloc(LINE_MAX_BYTES);
	struct out o = {0};
	int64_t ref_now;
	size_t n;
	int code = 0;

	if (res == NULL || line == NULL) {
		free(res);
		free(line);
		return cli_error("out of memory");
	}
	if (ref_ms(po->ref, po->tz, &ref_now) < 0) {
		free(res);
		free(line);
		return cli_usage("--ref wants YYYY-MM-DDTHH:MM[:SS]");
	}
	while (fgets(line, LINE_MAX_BYTES, stdin) != NULL) {
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n') {
			line[--n] = '\0';
		} else if (!feof(stdin)) {
			/* an over-long line: the rest of it is skipped */
			int ch;

			while ((ch = getchar()) != EOF && ch != '\n')
				;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		parse_line(line, po, ref_now, res, &o);
		if (o.len >= 64 * 1024 || o.failed) {
			if (o.failed ||
			    fwrite(o.buf, 1, o.len, stdout) != o.len) {
				code = cli_error("cannot write the output");
				break;
			}
			o.len = 0;
		}
	}
	if (code == 0 && o.len > 0 && fwrite(o.buf, 1, o.len, stdout) != o.len)
		code = cli_error("cannot write the output");
	free(o.buf);
	free(line);
	free(res);
	if (code == 0 && fflush(stdout) != 0)
		code = cli_error("cannot write the output");
	return code;
}

static const char *const known_names[] = {
    "year", "month", "day", "hour", "minute", "second", "weekday", "offset"};

static void
explain_moment(const char *what, const struct nlp_moment *m)
{
	static const char *const wd[] = {
	    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	bool first = true;

	printf("  %-6s %s %04d-%02d-%02d %02d:%02d:%02d", what, wd[m->weekday],
	    m->year, m->month, m->day, m->hour, m->minute, m->second);
	if (m->known & NLP_OFFSET)
		printf(" (the text said UTC%+d:%02d)", m->offset / 60,
		    abs(m->offset % 60));
	printf("\n         stated:");
	for (int k = 0; k < 8; k++) {
		if (m->known & (1u << k)) {
			printf("%s %s", first ? "" : ",", known_names[k]);
			first = false;
		}
	}
	if (first)
		printf(" nothing (all from the reference)");
	printf("\n");
	if (m->dst == NLP_DST_GAP)
		printf("         that wall time does not exist that day "
		       "(clocks go forward): it is taken as the time just "
		       "after the gap\n");
	else if (m->dst == NLP_DST_REPEAT)
		printf("         that wall time happens twice that day "
		       "(clocks go back): the first is taken\n");
}

static int
explain(const char *text, const struct parse_opts *po)
{
	struct nlp_result *res = malloc(sizeof(*res));
	struct nlp_ref nref = {0, po->tz, po->day_first};
	struct nlp_when w;
	char iso[TIME_ISO_MAX];
	int r, n;

	if (res == NULL)
		return cli_error("out of memory");
	if (ref_ms(po->ref, po->tz, &nref.now_ms) < 0) {
		free(res);
		return cli_usage("--ref wants YYYY-MM-DDTHH:MM[:SS] and --tz a "
		                 "zone this machine knows");
	}
	n = nlp_parse(text, &nref, &po->nlp, res);
	if (n < 0) {
		free(res);
		return cli_usage("unknown time zone '%s'", po->tz);
	}
	time_format_iso(nref.now_ms, iso, sizeof(iso));
	printf("text:      %s\nreference: %s (%s)\n", text, iso, po->tz);
	r = nlp_when(text, &nref, &w);
	if (r == 1)
		printf("draft:     %s\n", w.reasoning);
	if (n == 0)
		printf("found:     no date or time\n");
	for (int k = 0; k < n; k++) {
		const struct nlp_match *m = &res->matches[k];

		printf("found:     '%.*s' at byte %zu\n", (int)m->len,
		    text + m->index, m->index);
		explain_moment("start", &m->start);
		if (m->has_end)
			explain_moment("end", &m->end);
		if (m->rrule[0] != '\0')
			printf("  repeats RRULE:%s\n", m->rrule);
	}
	printf("title:     %s\npriority:  %d\n", res->title, res->priority);
	for (int k = 0; k < res->nsubtasks; k++)
		printf("subtask:   %s\n", res->subtasks[k]);
	free(res);
	return 0;
}

int
cli_parse(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"ref", required_argument, NULL, 'r'},
	    {"tz", required_argument, NULL, 'z'},
	    {"json", no_argument, NULL, 'j'},
	    {"forward", no_argument, NULL, 'f'},
	    {"day-first", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "draftbot parse [--ref YYYY-MM-DDTHH:MM[:SS]] [--tz ZONE] "
	    "[--forward] [--day-first] [--json] [TEXT...]\n"
	    "  TEXT: explain what is found (the assistant's reading)\n"
	    "  no TEXT: one JSON object per line of stdin (plain text, or\n"
	    "  {\"text\",\"ref\",\"tz\",\"options\":{\"forwardDate\","
	    "\"ahead\",\"dayFirst\"}})";
	struct parse_opts po;
	bool json = false;
	char text[4096];
	size_t n = 0;
	int ch, code = 0;

	memset(&po, 0, sizeof(po));
	po.tz = cli->cfg != NULL ? cfg_str(cli->cfg, "tz") : "UTC";
	if (po.tz == NULL)
		po.tz = "UTC";
	po.timing = getenv("NLP_PARSE_TIMING") != NULL;
	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		switch (ch) {
		case 'r':
			po.ref = optarg;
			break;
		case 'z':
			po.tz = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'f':
			po.nlp.forward_date = true;
			break;
		case 'd':
			po.day_first = true;
			break;
		default:
			return code;
		}
	}
	if (po.tz[0] != '+' && po.tz[0] != '-' && !nlp_tz_valid(po.tz))
		return cli_usage("unknown time zone '%s'", po.tz);
	/* one zone all along: no TZ switch per line */
	(void)nlp_tz_use(po.tz);
	if (optind >= argc)
		return parse_stdin(&po);
	text[0] = '\0';
	for (int k = optind; k < argc; k++) {
		int w = snprintf(text + n, sizeof(text) - n, "%s%s",
		    k > optind ? " " : "", argv[k]);

		if (w < 0 || (size_t)w >= sizeof(text) - n)
			return cli_usage("the text is too long");
		n += (size_t)w;
	}
	if (json) {
		struct nlp_result *res = malloc(sizeof(*res));
		struct out o = {0};
		int64_t ref_now;

		if (res == NULL)
			return cli_error("out of memory");
		if (ref_ms(po.ref, po.tz, &ref_now) < 0) {
			free(res);
			return cli_usage("--ref wants YYYY-MM-DDTHH:MM[:SS]");
		}
		po.nlp.ahead = !po.nlp.forward_date;
		parse_line(text, &po, ref_now, res, &o);
		if (o.len > 0)
			fwrite(o.buf, 1, o.len, stdout);
		free(o.buf);
		free(res);
		return o.failed ? cli_error("out of memory") : 0;
	}
	po.nlp.ahead = true;
	return explain(text, &po);
}
