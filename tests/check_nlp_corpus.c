/*
 * chrono's English test suite (../shared/corpora/dates/chrono-en.tsv) as a
 * table: every `casual` row is asserted through nlp_parse, except the rows
 * in tests/data/nlp/chrono-skip.tsv (each with the reason it is not
 * supported).  A row is scored on what its test states (expected_json):
 * the text and index of the match, the number of matches, the date always,
 * the time of day and seconds where asserted, the end, which components
 * are certain, the zone offset (then the wall clock is compared in that
 * offset), and instants.  The pass rate over the rows not skipped is
 * printed as a TAP comment ("# chrono-en casual: …").
 *
 * NLP_CORPUS_VERBOSE=1 prints every failing row.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "tests/nlp_corpus.h"
#include "tests/testutil.h"
#include "workflows/nlp.h"

static struct nlp_corpus corpus;
static int *casual; /* row numbers of the casual rows */
static int ncasual;

static void
load(void)
{
	if (ncasual > 0)
		return;
	nlp_corpus_load(&corpus);
	casual = calloc((size_t)corpus.nrows, sizeof(int));
	ck_assert_ptr_nonnull(casual);
	for (int row = 1; row < corpus.nrows; row++)
		if (strcmp(nlp_corpus_cell(&corpus, row, "parser"), "casual") ==
		    0)
			casual[ncasual++] = row;
}

START_TEST(corpus_row)
{
	char why[512] = "";
	const char *id, *reason;
	int r;

	load();
	ck_assert_int_lt(_i, ncasual);
	id = nlp_corpus_cell(&corpus, casual[_i], "id");
	reason = nlp_corpus_skipped(&corpus, id);
	if (reason != NULL)
		return;
	r = nlp_corpus_score(&corpus, casual[_i], why, sizeof(why));
	ck_assert_msg(r == NLP_ROW_PASS, "%s '%s': %s", id,
	    nlp_corpus_cell(&corpus, casual[_i], "text"), why);
}
END_TEST

/* Every skipped id exists and is a casual row, with a reason. */
START_TEST(skip_file)
{
	load();
	ck_assert_int_gt(corpus.nskip, 0);
	for (int k = 0; k < corpus.nskip; k++) {
		int found = 0;

		for (int j = 0; j < ncasual; j++)
			if (strcmp(nlp_corpus_cell(&corpus, casual[j], "id"),
			        corpus.skip_id[k]) == 0)
				found = 1;
		ck_assert_msg(found, "skip file names %s, not a casual row",
		    corpus.skip_id[k]);
		ck_assert_msg(strlen(corpus.skip_why[k]) > 10,
		    "%s: say why it is skipped", corpus.skip_id[k]);
	}
}
END_TEST

START_TEST(summary)
{
	struct nlp_corpus_rate rate;

	load();
	nlp_corpus_rate(&corpus, getenv("NLP_CORPUS_VERBOSE") != NULL, &rate);
	printf("# chrono-en casual: %d of %d supported rows pass (%.1f%%); "
	       "%d rows skipped as unsupported, %d casual rows in all\n",
	    rate.passed, rate.supported,
	    rate.supported ? 100.0 * rate.passed / rate.supported : 0.0,
	    rate.skipped, rate.casual);
	fflush(stdout);
	ck_assert_int_eq(rate.casual, ncasual);
}
END_TEST

static Suite *
corpus_suite(void)
{
	Suite *s = suite_create("nlp_corpus");
	TCase *tc = tcase_create("chrono");
	struct nlp_corpus c;
	int n = 0;

	/* the number of casual rows decides the loop */
	nlp_corpus_load(&c);
	for (int row = 1; row < c.nrows; row++)
		n += strcmp(nlp_corpus_cell(&c, row, "parser"), "casual") == 0;
	nlp_corpus_free(&c);
	tcase_add_loop_test(tc, corpus_row, 0, n);
	tcase_add_test(tc, skip_file);
	tcase_add_test(tc, summary);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(corpus_suite());
}
