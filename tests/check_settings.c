/* The settings table: every default is valid, every setting documented. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/settings.h"
#include "tests/testutil.h"

static void
clear_env(void)
{
	extern char **environ;

	/* only the table's defaults may count */
	for (char **e = environ; *e != NULL;) {
		char name[128];
		size_t n = strcspn(*e, "=");

		if (strncmp(*e, "DRAFTBOT_", 9) != 0 || n >= sizeof(name)) {
			e++;
			continue;
		}
		memcpy(name, *e, n);
		name[n] = '\0';
		unsetenv(name); /* environ shifts down: look at *e again */
	}
}

START_TEST(defaults_are_valid)
{
	char err[CFG_ERR_MAX] = "";
	struct cfg *c = NULL;

	clear_env();
	ck_assert_msg(cfg_load(settings_table, NULL, &c, err, sizeof(err)) == 0,
	    "%s", err);
	for (const struct cfg_def *d = settings_table; d->name != NULL; d++) {
		ck_assert_msg(d->help != NULL && d->help[0] != '\0',
		    "%s has no help", d->name);
		if (d->def != NULL)
			ck_assert_str_eq(cfg_str(c, d->name) ? "set" : "unset",
			    "set");
	}
	cfg_free(c);
}
END_TEST

START_TEST(readme_lists_every_setting)
{
	const char *root = getenv("DRAFTBOT_TEST_SOURCE_ROOT");
	char path[512], *text;
	long len;
	FILE *f;

	ck_assert_ptr_nonnull(root);
	snprintf(path, sizeof(path), "%s/README.md", root);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	ck_assert_int_eq(fread(text, 1, (size_t)len, f), len);
	fclose(f);
	for (const struct cfg_def *d = settings_table; d->name != NULL; d++) {
		char row[96];

		snprintf(row, sizeof(row), "| `%s` |", d->name);
		ck_assert_msg(strstr(text, row) != NULL,
		    "README.md's configuration table has no row for %s",
		    d->name);
	}
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, defaults_are_valid);
	tcase_add_test(tc, readme_lists_every_setting);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
