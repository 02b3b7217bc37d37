#include <check.h>
#include <string.h>

#include "tests/tg_fixture.h"

struct fake_tg *fk;
struct tg *tg;

struct tg *
tgfx_client(
    const char *base, const char *token, long timeout_ms, size_t max_response)
{
	struct tg_opts o = {.api_base = base,
	    .token = token,
	    .timeout_ms = timeout_ms,
	    .max_response = max_response};
	struct tg *t = NULL;

	ck_assert_int_eq(tg_open(&o, &t), 0);
	return t;
}

void
tgfx_setup(void)
{
	ck_assert_int_eq(fake_tg_start(TGFX_TOKEN, &fk), 0);
	tg = tgfx_client(fake_tg_base_url(fk), TGFX_TOKEN, 0, 0);
}

void
tgfx_teardown(void)
{
	tg_close(tg);
	fake_tg_stop(fk);
}

void
tgfx_no_token(const struct tg_error *err)
{
	ck_assert_msg(strstr(err->description, TGFX_TOKEN) == NULL &&
	        strstr(err->description, TGFX_SECRET) == NULL,
	    "token in '%s'", err->description);
}

int
tgfx_call(struct tg *t, const char *method, const char *params,
    struct json_object **res, struct tg_error *err)
{
	int r = tg_call(t, method, params, 0, res, err);

	tgfx_no_token(err);
	return r;
}
