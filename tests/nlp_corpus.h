/*
 * nlp_corpus — chrono's English test suite as a table, and how one of its
 * rows is scored against nlp_parse (tests/check_nlp_corpus.c).
 */
#ifndef DRAFTBOT_TESTS_NLP_CORPUS_H
#define DRAFTBOT_TESTS_NLP_CORPUS_H

#include <stdbool.h>

struct nlp_corpus {
	char *data;   /* the TSV file, cut into cells in place */
	char **cells; /* ncols per row, the header first */
	int nrows, ncols;
	char *skip; /* the skip file, cut in place */
	char **skip_id, **skip_why;
	int nskip;
};

/* Load $DRAFTBOT_CORPORA/dates/chrono-en.tsv and the skip file
 * $DRAFTBOT_TEST_DATA/nlp/chrono-skip.tsv; exits the process with a
 * message when either cannot be read. */
void nlp_corpus_load(struct nlp_corpus *c);
void nlp_corpus_free(struct nlp_corpus *c);

/* The cell of column name in row (row 0 is the header). */
const char *nlp_corpus_cell(
    const struct nlp_corpus *c, int row, const char *name);

/* The reason row id is skipped, or NULL. */
const char *nlp_corpus_skipped(const struct nlp_corpus *c, const char *id);

enum nlp_row { NLP_ROW_PASS, NLP_ROW_FAIL };

/* Score one row; why says what differed. */
enum nlp_row nlp_corpus_score(
    const struct nlp_corpus *c, int row, char *why, size_t len);

struct nlp_corpus_rate {
	int casual, skipped, supported, passed;
};

/* Score every casual row (printing the failures when verbose). */
void nlp_corpus_rate(
    const struct nlp_corpus *c, bool verbose, struct nlp_corpus_rate *rate);

#endif
