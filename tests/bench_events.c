/*
 * bench_events — how fast is event extraction inside one process?
 *
 *   bench_events [--quick] [--rounds N] CORPUS
 *
 * CORPUS is the events corpus folder (../shared/corpora/events): the pages
 * listed in its expected.jsonl, under html/.  All pages are read into
 * memory first; then every round extracts every page once
 * (ev_extract_ics() for iCalendar, else ev_extract_html(), base URL
 * https://example.org/, now 2025-10-01, zone UTC) and times each call.
 * Reports pages/s and MB/s over all calls, the per-page p50/p99/max and
 * the median of the largest page.  (scripts/bench-events takes the corpus
 * pass rate from tests/check_events_corpus itself.)
 *
 * Human-readable lines first; the last line is
 *   RESULT inproc_pages_per_s=… inproc_mb_per_s=… p50_us=… p99_us=…
 *   max_us=… pages=… bytes=…
 * Exit status 0, 1 when the corpus cannot be read or an extraction fails.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "events/event.h"

#define MAX_PAGES 512
#define NOW_MS 1759276800000LL /* 2025-10-01T00:00:00Z */

struct page {
	char file[256]; /* relative to CORPUS/html */
	char *body;
	size_t len;
};

static const struct ev_opts opts = {"https://example.org/", NOW_MS, "UTC"};

static int
read_all(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, len = 0, got;
	char *buf = NULL, *nb;

	if (f == NULL)
		return -errno;
	do {
		if (buf == NULL || len == cap) {
			cap = buf == NULL ? cap : cap * 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

static void
copy_str(char *dst, size_t cap, struct json_object *o, const char *key)
{
	struct json_object *v;

	dst[0] = '\0';
	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(dst, cap, "%s", json_object_get_string(v));
}

/* The pages of CORPUS/expected.jsonl, bodies read.  Returns how many, or
 * -1 after printing why. */
static int
load(const char *corpus, struct page *pages)
{
	char path[1024], *list, *line, *save = NULL;
	size_t len;
	int n = 0;

	snprintf(path, sizeof(path), "%s/expected.jsonl", corpus);
	if (read_all(path, &list, &len) < 0) {
		fprintf(stderr, "bench_events: cannot read %s\n", path);
		return -1;
	}
	for (line = strtok_r(list, "\n", &save); line != NULL && n < MAX_PAGES;
	     line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line);
		struct page *p = &pages[n];

		if (o == NULL)
			continue;
		memset(p, 0, sizeof(*p));
		copy_str(p->file, sizeof(p->file), o, "file");
		json_object_put(o);
		snprintf(path, sizeof(path), "%s/html/%s", corpus, p->file);
		if (read_all(path, &p->body, &p->len) < 0) {
			fprintf(stderr, "bench_events: cannot read %s\n", path);
			free(list);
			return -1;
		}
		n++;
	}
	free(list);
	return n;
}

static int
extract(const struct page *p, struct ev_list **l)
{
	if (ev_is_ics(p->body, p->len))
		return ev_extract_ics(p->body, p->len, &opts, l);
	return ev_extract_html(p->body, p->len, &opts, l);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const int64_t *sorted, size_t n, double q)
{
	size_t k = (size_t)(q * (double)(n - 1) + 0.5);

	return (double)sorted[k < n ? k : n - 1] / 1000.0;
}

int
main(int argc, char **argv)
{
	static struct page pages[MAX_PAGES];
	const char *corpus = NULL;
	int rounds = 50, n, largest = 0, code = 1;
	int64_t *ns = NULL, *big = NULL, total_ns = 0;
	size_t bytes = 0, nsamples;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			rounds = 5;
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else if (argv[i][0] != '-' && corpus == NULL) {
			corpus = argv[i];
		} else {
			corpus = NULL;
			break;
		}
	}
	if (corpus == NULL || rounds < 1) {
		fprintf(stderr,
		    "usage: bench_events [--quick] [--rounds N] CORPUS\n");
		return 2;
	}
	n = load(corpus, pages);
	if (n <= 0) {
		if (n == 0)
			fprintf(
			    stderr, "bench_events: no pages in %s\n", corpus);
		goto out;
	}
	for (int k = 0; k < n; k++) {
		struct ev_list *l = NULL;

		bytes += pages[k].len;
		if (pages[k].len > pages[largest].len)
			largest = k;
		/* a warm-up round */
		if (extract(&pages[k], &l) < 0) {
			fprintf(stderr, "bench_events: %s: extraction failed\n",
			    pages[k].file);
			goto out;
		}
		ev_list_free(l);
	}
	nsamples = (size_t)n * (size_t)rounds;
	ns = malloc(nsamples * sizeof(*ns));
	big = malloc((size_t)rounds * sizeof(*big));
	if (ns == NULL || big == NULL) {
		fprintf(stderr, "bench_events: out of memory\n");
		goto out;
	}
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < n; k++) {
			struct ev_list *l = NULL;
			int64_t t0 = time_mono_ns(), dt;
			int e = extract(&pages[k], &l);

			dt = time_mono_ns() - t0;
			ev_list_free(l);
			if (e < 0) {
				fprintf(stderr, "bench_events: %s: %s\n",
				    pages[k].file, strerror(-e));
				goto out;
			}
			ns[(size_t)r * (size_t)n + (size_t)k] = dt;
			total_ns += dt;
			if (k == largest)
				big[r] = dt;
		}
	}
	qsort(ns, nsamples, sizeof(*ns), cmp_i64);
	qsort(big, (size_t)rounds, sizeof(*big), cmp_i64);
	{
		double secs = (double)total_ns / 1e9;
		double pps = (double)nsamples / secs;
		double mbps = (double)bytes * rounds / 1e6 / secs;

		printf("pages: %d (%.2f MB), %d rounds, in one process\n", n,
		    (double)bytes / 1e6, rounds);
		printf("extraction: %.0f pages/s, %.1f MB/s\n", pps, mbps);
		printf("per page: p50 %.1f us, p99 %.1f us, max %.1f us\n",
		    pct(ns, nsamples, 0.50), pct(ns, nsamples, 0.99),
		    (double)ns[nsamples - 1] / 1000.0);
		printf("largest page: %s (%zu bytes), p50 %.1f us\n",
		    pages[largest].file, pages[largest].len,
		    pct(big, (size_t)rounds, 0.50));
		printf("RESULT inproc_pages_per_s=%.0f inproc_mb_per_s=%.1f "
		       "p50_us=%.1f p99_us=%.1f max_us=%.1f pages=%d "
		       "bytes=%zu\n",
		    pps, mbps, pct(ns, nsamples, 0.50), pct(ns, nsamples, 0.99),
		    (double)ns[nsamples - 1] / 1000.0, n, bytes);
	}
	code = 0;
out:
	for (int k = 0; k < MAX_PAGES && pages[k].body != NULL; k++)
		free(pages[k].body);
	free(ns);
	free(big);
	return code;
}
