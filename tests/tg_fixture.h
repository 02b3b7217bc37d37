/*
 * tg_fixture — the fixture check_tg and check_fake_tg share: a fake
 * Telegram (fake_tg.h) started with TGFX_TOKEN and a Bot API client
 * (bot/tg.h) pointed at it, plus the call wrapper that checks no error
 * text leaks the token.  Link with tg_fixture.c and the fake's sources.
 *
 * Every helper fails the running test (ck_assert) instead of returning an
 * error.
 */
#ifndef DRAFTBOT_TG_FIXTURE_H
#define DRAFTBOT_TG_FIXTURE_H

#include <json-c/json.h>
#include <stddef.h>

#include "bot/tg.h"
#include "tests/fake_tg.h"

#define TGFX_SECRET "AAHsecretTokenValue_0123456789-abcdef"
#define TGFX_TOKEN "123456789:" TGFX_SECRET

/* Set by tgfx_setup(), released by tgfx_teardown(): the fake server and a
 * client on its base URL with TGFX_TOKEN and default limits. */
extern struct fake_tg *fk;
extern struct tg *tg;

/*
 * A new client for base with token, timeout_ms and max_response as in
 * struct tg_opts (0 = the defaults).  Fails the test when tg_open() does;
 * the caller closes it with tg_close().
 */
struct tg *tgfx_client(
    const char *base, const char *token, long timeout_ms, size_t max_response);

/* Checked fixture: start fk with TGFX_TOKEN and open tg on it. */
void tgfx_setup(void);

/* Checked fixture: close tg and stop fk. */
void tgfx_teardown(void);

/* Fail the test when err's description holds the token or its secret
 * half: neither may ever reach an error text. */
void tgfx_no_token(const struct tg_error *err);

/* tg_call(t, method, params, 0, res, err) (no long polling), then
 * tgfx_no_token(err) on every return.  Returns what tg_call() does. */
int tgfx_call(struct tg *t, const char *method, const char *params,
    struct json_object **res, struct tg_error *err);

#endif
