/* secret: the key file and sealing tokens at rest. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/secret.h"
#include "tests/testutil.h"

START_TEST(key_created_0600_and_reloaded)
{
	struct secret_key a, b;
	char dir[256], path[512], err[256];
	struct stat st;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "draftbot.key");
	ck_assert_int_eq(secret_key_load(path, 0, &a, err, sizeof(err)),
	    -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "does not exist"));
	ck_assert_int_eq(secret_key_load(path, 1, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, SECRET_KEY_BYTES);
	ck_assert_int_eq(secret_key_load(path, 1, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(memcmp(a.k, b.k, sizeof(a.k)), 0);
	secret_key_wipe(&a);
	secret_key_wipe(&b);
	tu_rmtree(dir);
}
END_TEST

START_TEST(key_others_may_read_refused)
{
	struct secret_key k;
	char dir[256], path[512], err[256];
	unsigned char before[SECRET_KEY_BYTES], after[SECRET_KEY_BYTES];
	FILE *fp;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "k");
	ck_assert_int_eq(secret_key_load(path, 1, &k, err, sizeof(err)), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
	fp = fopen(path, "rb");
	ck_assert_uint_eq(fread(before, 1, sizeof(before), fp), sizeof(before));
	fclose(fp);
	ck_assert_int_eq(secret_key_load(path, 1, &k, err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	/* the file is left as it was */
	fp = fopen(path, "rb");
	ck_assert_uint_eq(fread(after, 1, sizeof(after), fp), sizeof(after));
	fclose(fp);
	ck_assert_int_eq(memcmp(before, after, sizeof(before)), 0);
	tu_rmtree(dir);
}
END_TEST

START_TEST(key_wrong_size_refused)
{
	struct secret_key k;
	char dir[256], path[512], err[256];
	int fd;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "k");
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_eq(write(fd, "short", 5), 5);
	close(fd);
	ck_assert_int_eq(secret_key_load(path, 1, &k, err, sizeof(err)),
	    -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a draftbot key"));
	ck_assert_int_eq(tu_file_size(path), 5);
	ck_assert_int_eq(secret_key_load("", 1, &k, err, sizeof(err)), -EINVAL);
	tu_rmtree(dir);
}
END_TEST

START_TEST(seal_open_and_forgery)
{
	struct secret_key k, other;
	const char *plain = "1//0refresh-token-value";
	unsigned char *box = NULL;
	size_t n = 0, pn = 0;
	char *out = NULL;

	memset(k.k, 7, sizeof(k.k));
	memset(other.k, 8, sizeof(other.k));
	ck_assert_int_eq(secret_seal(&k, plain, strlen(plain), &box, &n), 0);
	ck_assert_uint_eq(n, strlen(plain) + SECRET_OVERHEAD);
	/* the token is not in the sealed bytes */
	ck_assert_ptr_null(memmem(box, n, "refresh", 7));
	ck_assert_int_eq(secret_open(&k, box, n, &out, &pn), 0);
	ck_assert_str_eq(out, plain);
	ck_assert_uint_eq(pn, strlen(plain));
	free(out);
	ck_assert_int_eq(secret_open(&other, box, n, &out, &pn), -EBADMSG);
	box[n - 1] ^= 1;
	ck_assert_int_eq(secret_open(&k, box, n, &out, &pn), -EBADMSG);
	ck_assert_int_eq(secret_open(&k, box, 10, &out, &pn), -EBADMSG);
	ck_assert_int_eq(secret_open(&k, NULL, 0, &out, &pn), -EBADMSG);
	free(box);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("secret");

	tcase_add_test(tc, key_created_0600_and_reloaded);
	tcase_add_test(tc, key_others_may_read_refused);
	tcase_add_test(tc, key_wrong_size_refused);
	tcase_add_test(tc, seal_open_and_forgery);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
