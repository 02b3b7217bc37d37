/*
 * nlp_corpus — loading chrono-en.tsv and scoring a row (nlp_corpus.h).
 *
 * The reference of a row is its ref_date, a wall-clock time in UTC unless
 * it ends in Z or an offset (then that offset is the user's zone); rows
 * without one use a fixed time, as their tests do not depend on it.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "tests/nlp_corpus.h"
#include "workflows/nlp.h"

#define NO_REF "2026-11-20T12:00:00"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (f == NULL) {
		fprintf(stderr, "nlp_corpus: cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = malloc((size_t)n + 1);
	if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "nlp_corpus: cannot read %s\n", path);
		exit(2);
	}
	data[n] = '\0';
	fclose(f);
	return data;
}

static void
unescape(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void
load_skip(struct nlp_corpus *c)
{
	const char *dir = getenv("DRAFTBOT_TEST_DATA");
	char path[512];
	int cap = 0;

	snprintf(path, sizeof(path), "%s/nlp/chrono-skip.tsv",
	    dir != NULL ? dir : "tests/data");
	c->skip = slurp(path);
	for (char *line = c->skip, *next; line != NULL && *line != '\0';
	     line = next) {
		char *tab;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		tab = strchr(line, '\t');
		if (c->nskip >= cap) {
			cap = cap ? cap * 2 : 64;
			c->skip_id = realloc(c->skip_id, sizeof(char *) * cap);
			c->skip_why =
			    realloc(c->skip_why, sizeof(char *) * cap);
			if (c->skip_id == NULL || c->skip_why == NULL)
				exit(2);
		}
		if (tab != NULL)
			*tab = '\0';
		c->skip_id[c->nskip] = line;
		c->skip_why[c->nskip] = tab != NULL ? tab + 1 : "";
		c->nskip++;
	}
}

void
nlp_corpus_load(struct nlp_corpus *c)
{
	const char *dir = getenv("DRAFTBOT_CORPORA");
	char path[512];
	int cap = 0;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/dates/chrono-en.tsv",
	    dir != NULL ? dir : "../shared/corpora");
	c->data = slurp(path);
	for (char *line = c->data, *next; line != NULL && *line != '\0';
	     line = next) {
		char *cell = line;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (c->ncols == 0)
			for (char *p = line; p != NULL; p = strchr(p + 1, '\t'))
				c->ncols++;
		if ((c->nrows + 1) * c->ncols > cap) {
			cap = cap == 0 ? 1024 * c->ncols : cap * 2;
			c->cells = realloc(c->cells, sizeof(char *) * cap);
			if (c->cells == NULL)
				exit(2);
		}
		for (int col = 0; col < c->ncols; col++) {
			char *tab = cell != NULL ? strchr(cell, '\t') : NULL;

			if (tab != NULL)
				*tab = '\0';
			if (cell != NULL)
				unescape(cell);
			c->cells[c->nrows * c->ncols + col] =
			    cell != NULL ? cell : "";
			cell = tab != NULL ? tab + 1 : NULL;
		}
		c->nrows++;
	}
	load_skip(c);
}

void
nlp_corpus_free(struct nlp_corpus *c)
{
	free(c->cells);
	free(c->data);
	free(c->skip_id);
	free(c->skip_why);
	free(c->skip);
	memset(c, 0, sizeof(*c));
}

const char *
nlp_corpus_cell(const struct nlp_corpus *c, int row, const char *name)
{
	for (int k = 0; k < c->ncols; k++)
		if (strcmp(c->cells[k], name) == 0)
			return c->cells[row * c->ncols + k];
	return "";
}

const char *
nlp_corpus_skipped(const struct nlp_corpus *c, const char *id)
{
	for (int k = 0; k < c->nskip; k++)
		if (strcmp(c->skip_id[k], id) == 0)
			return c->skip_why[k];
	return NULL;
}

/* The reference of a row: instant and zone. */
static int
reference(const char *ref, struct nlp_ref *nr, char *zone, size_t zlen)
{
	int y, m, d, h, mi, s = 0, ms = 0, n = 0;
	const char *p;
	int64_t t;

	if (*ref == '\0')
		ref = NO_REF;
	if (sscanf(ref, "%4d-%2d-%2dT%2d:%2d%n", &y, &m, &d, &h, &mi, &n) != 5)
		return -EINVAL;
	p = ref + n;
	if (*p == ':') {
		s = atoi(p + 1);
		p += 3;
	}
	if (*p == '.') {
		ms = atoi(p + 1);
		p += 1 + strspn(p + 1, "0123456789");
	}
	snprintf(zone, zlen, "%s", *p == '+' || *p == '-' ? p : "UTC");
	nr->tz = zone;
	nr->day_first = false;
	if (nlp_instant(zone, y, m, d, h, mi, &t) < 0)
		return -EINVAL;
	nr->now_ms = t + s * 1000 + ms;
	return 0;
}

/* UTF-16 code units in the first n bytes of s (chrono's index). */
static size_t
utf16_len(const char *s, size_t n)
{
	size_t u = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch & 0xc0) == 0x80)
			continue;
		u += ch >= 0xf0 ? 2 : 1;
	}
	return u;
}

struct wall {
	int year, month, day, hour, minute, second, weekday;
};

static void
wall_of(
    const struct nlp_moment *m, const struct json_object *want, struct wall *w)
{
	struct json_object *off;

	w->year = m->year;
	w->month = m->month;
	w->day = m->day;
	w->hour = m->hour;
	w->minute = m->minute;
	w->second = m->second;
	w->weekday = m->weekday;
	if (json_object_object_get_ex(want, "timezoneOffset", &off) &&
	    json_object_is_type(off, json_type_int) &&
	    (m->known & NLP_OFFSET)) {
		/* the wall clock in the zone the text named */
		int64_t t = m->ms / 1000 + json_object_get_int(off) * 60;
		int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
		int sod = (int)(t - days * 86400);
		char iso[TIME_ISO_MAX];

		if (time_format_iso((days * 86400) * 1000, iso, sizeof(iso)) ==
		    0)
			sscanf(
			    iso, "%4d-%2d-%2d", &w->year, &w->month, &w->day);
		w->hour = sod / 3600;
		w->minute = sod / 60 % 60;
		w->second = sod % 60;
	}
}

static const struct {
	const char *name;
	unsigned bit;
} comps[] = {
    {"year", NLP_YEAR},
    {"month", NLP_MONTH},
    {"day", NLP_DAY},
    {"hour", NLP_HOUR},
    {"minute", NLP_MINUTE},
    {"second", NLP_SECOND},
    {"weekday", NLP_WEEKDAY},
    {"timezoneOffset", NLP_OFFSET},
};

static int
get(const struct wall *w, const char *name)
{
	if (strcmp(name, "year") == 0)
		return w->year;
	if (strcmp(name, "month") == 0)
		return w->month;
	if (strcmp(name, "day") == 0)
		return w->day;
	if (strcmp(name, "hour") == 0)
		return w->hour;
	if (strcmp(name, "minute") == 0)
		return w->minute;
	if (strcmp(name, "second") == 0)
		return w->second;
	return w->weekday;
}

/* Compare a moment with the "start" or "end" object of a row. */
static bool
moment_ok(const struct nlp_moment *m, struct json_object *want,
    struct json_object *certain, const char *which, char *why, size_t len)
{
	struct wall w;
	struct json_object *v;

	wall_of(m, want, &w);
	for (size_t k = 0; want != NULL && k < sizeof(comps) / sizeof(comps[0]);
	     k++) {
		if (!json_object_object_get_ex(want, comps[k].name, &v))
			continue;
		if (comps[k].bit == NLP_OFFSET) {
			if (json_object_is_type(v, json_type_null) &&
			    (m->known & NLP_OFFSET)) {
				snprintf(why, len, "%s has an offset", which);
				return false;
			}
			if (json_object_is_type(v, json_type_int) &&
			    (!(m->known & NLP_OFFSET) ||
			        m->offset != json_object_get_int(v))) {
				snprintf(why, len, "%s offset %d, want %d",
				    which,
				    m->known & NLP_OFFSET ? m->offset : 9999,
				    json_object_get_int(v));
				return false;
			}
			continue;
		}
		if (get(&w, comps[k].name) != json_object_get_int(v)) {
			snprintf(why, len, "%s.%s %d, want %d", which,
			    comps[k].name, get(&w, comps[k].name),
			    json_object_get_int(v));
			return false;
		}
	}
	for (size_t k = 0;
	     certain != NULL && k < sizeof(comps) / sizeof(comps[0]); k++) {
		if (!json_object_object_get_ex(certain, comps[k].name, &v))
			continue;
		if (json_object_get_boolean(v) !=
		    ((m->known & comps[k].bit) != 0)) {
			snprintf(why, len, "%s.%s %s certain", which,
			    comps[k].name,
			    json_object_get_boolean(v) ? "should be"
			                               : "is not");
			return false;
		}
	}
	return true;
}

/* "2012-08-10T08:09:10.011": the date always, the time when stated. */
static bool
local_ok(const struct nlp_moment *m, const char *want, const char *which,
    char *why, size_t len)
{
	int y, mo, d, h, mi, s;

	if (sscanf(want, "%d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) !=
	    6)
		return true;
	if (y != m->year || mo != m->month || d != m->day) {
		snprintf(why, len, "%s date %04d-%02d-%02d, want %.10s", which,
		    m->year, m->month, m->day, want);
		return false;
	}
	if ((m->known & NLP_HOUR) &&
	    (h != m->hour || mi != m->minute ||
	        ((m->known & NLP_SECOND) && s != m->second))) {
		snprintf(why, len, "%s time %02d:%02d:%02d, want %s", which,
		    m->hour, m->minute, m->second, want + 11);
		return false;
	}
	return true;
}

static bool
instant_ok(const struct nlp_moment *m, struct json_object *list,
    const char *which, char *why, size_t len)
{
	int64_t want;
	const char *iso;

	if (list == NULL || json_object_array_length(list) == 0)
		return true;
	iso = json_object_get_string(json_object_array_get_idx(list, 0));
	if (time_parse_iso(iso, &want) < 0)
		return true;
	if (m->ms / 1000 != want / 1000) {
		char got[TIME_ISO_MAX];

		time_format_iso(m->ms, got, sizeof(got));
		snprintf(why, len, "%s instant %s, want %s", which, got, iso);
		return false;
	}
	return true;
}

static struct json_object *
member(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ? v : NULL;
}

enum nlp_row
nlp_corpus_score(const struct nlp_corpus *c, int row, char *why, size_t len)
{
	const char *text = nlp_corpus_cell(c, row, "text");
	struct nlp_opts opts = {0};
	struct nlp_ref ref;
	struct nlp_result *res = calloc(1, sizeof(*res));
	struct json_object *root, *v, *arr;
	const struct nlp_match *m;
	char zone[16], mtext[512];
	enum nlp_row verdict = NLP_ROW_FAIL;
	int n, want_no = 0;

	root = json_tokener_parse(nlp_corpus_cell(c, row, "expected_json"));
	if (res == NULL || root == NULL) {
		snprintf(why, len, "no expectation");
		goto out;
	}
	if (reference(nlp_corpus_cell(c, row, "ref_date"), &ref, zone,
	        sizeof(zone)) < 0) {
		snprintf(why, len, "bad ref_date");
		goto out;
	}
	opts.forward_date =
	    strstr(nlp_corpus_cell(c, row, "options"), "forwardDate") != NULL;
	n = nlp_parse(text, &ref, &opts, res);
	if (n < 0) {
		snprintf(why, len, "nlp_parse: %d", n);
		goto out;
	}
	if (strcmp(nlp_corpus_cell(c, row, "unexpected"), "1") == 0) {
		if (n != 0) {
			snprintf(why, len, "found '%.*s'",
			    (int)res->matches[0].len,
			    text + res->matches[0].index);
			goto out;
		}
		verdict = NLP_ROW_PASS;
		goto out;
	}
	v = member(root, "n_results");
	if (v != NULL && json_object_is_type(v, json_type_int) &&
	    json_object_get_int(v) != n) {
		snprintf(why, len, "%d matches, want %d%s%.*s", n,
		    json_object_get_int(v), n > 0 ? ": first '" : "",
		    n > 0 ? (int)res->matches[0].len : 0,
		    n > 0 ? text + res->matches[0].index : "");
		goto out;
	}
	v = member(root, "result_no");
	if (v != NULL)
		want_no = json_object_get_int(v);
	if (want_no >= n) {
		snprintf(why, len, "no match %d", want_no);
		goto out;
	}
	m = &res->matches[want_no];
	snprintf(mtext, sizeof(mtext), "%.*s", (int)m->len, text + m->index);
	v = member(root, "text");
	if (v != NULL && strcmp(json_object_get_string(v), mtext) != 0) {
		snprintf(why, len, "text '%s', want '%s'", mtext,
		    json_object_get_string(v));
		goto out;
	}
	v = member(root, "index");
	if (v != NULL &&
	    utf16_len(text, m->index) != (size_t)json_object_get_int(v)) {
		snprintf(why, len, "index %zu, want %d",
		    utf16_len(text, m->index), json_object_get_int(v));
		goto out;
	}
	arr = member(root, "text_contains");
	for (size_t k = 0; arr != NULL && k < json_object_array_length(arr);
	     k++) {
		const char *want =
		    json_object_get_string(json_object_array_get_idx(arr, k));

		if (strstr(mtext, want) == NULL) {
			snprintf(why, len, "text '%s' lacks '%s'", mtext, want);
			goto out;
		}
	}
	if (!moment_ok(&m->start, member(root, "start"),
	        member(root, "start_certain"), "start", why, len) ||
	    !instant_ok(
	        &m->start, member(root, "start_instant"), "start", why, len))
		goto out;
	arr = member(root, "start_date_local");
	if (arr != NULL &&
	    !local_ok(&m->start,
	        json_object_get_string(json_object_array_get_idx(arr, 0)),
	        "start", why, len))
		goto out;
	v = member(root, "end_null");
	if (v != NULL && json_object_get_boolean(v) == m->has_end) {
		snprintf(why, len, "end %s", m->has_end ? "found" : "missing");
		goto out;
	}
	if (member(root, "end") != NULL || member(root, "end_date_local")) {
		if (!m->has_end) {
			snprintf(why, len, "no end");
			goto out;
		}
		if (!moment_ok(&m->end, member(root, "end"),
		        member(root, "end_certain"), "end", why, len))
			goto out;
		arr = member(root, "end_date_local");
		if (arr != NULL &&
		    !local_ok(&m->end,
		        json_object_get_string(
		            json_object_array_get_idx(arr, 0)),
		        "end", why, len))
			goto out;
	}
	verdict = NLP_ROW_PASS;
out:
	json_object_put(root);
	free(res);
	return verdict;
}

void
nlp_corpus_rate(
    const struct nlp_corpus *c, bool verbose, struct nlp_corpus_rate *rate)
{
	char why[512];

	memset(rate, 0, sizeof(*rate));
	for (int row = 1; row < c->nrows; row++) {
		const char *id = nlp_corpus_cell(c, row, "id");

		if (strcmp(nlp_corpus_cell(c, row, "parser"), "casual") != 0)
			continue;
		rate->casual++;
		if (nlp_corpus_skipped(c, id) != NULL) {
			rate->skipped++;
			continue;
		}
		rate->supported++;
		why[0] = '\0';
		if (nlp_corpus_score(c, row, why, sizeof(why)) == NLP_ROW_PASS)
			rate->passed++;
		else if (verbose)
			printf("# FAIL %s '%s' ref %s: %s\n", id,
			    nlp_corpus_cell(c, row, "text"),
			    nlp_corpus_cell(c, row, "ref_date"), why);
	}
}
