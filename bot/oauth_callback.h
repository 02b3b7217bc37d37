/*
 * oauth_callback — Google's redirect after a person signed in:
 * GET /oauth/google/callback?code=…&state=… (or ?error=access_denied&
 * state=…).  The receiver only checks the shape of the parameters and
 * enqueues an oauth_exchange command keyed by the state (so a replayed
 * redirect adds nothing); the executor checks the state and trades the
 * code for tokens.
 */
#ifndef DRAFTBOT_OAUTH_CALLBACK_H
#define DRAFTBOT_OAUTH_CALLBACK_H

#include <stddef.h>

#include "bot/ingest.h"

#define OAUTH_CALLBACK_PATH "/oauth/google/callback"
#define OAUTH_PAYLOAD_MAX 1024

/*
 * Fill it (no update: it->upd stays NULL) with the oauth_exchange command
 * for these parameters; payload (OAUTH_PAYLOAD_MAX bytes) holds its JSON
 * and must outlive it.  0, or -EINVAL when state is missing or not a
 * draftbot state (20–95 characters of A-Z a-z 0-9 - _), or neither a code
 * (≤ 512 printable characters) nor an error (≤ 64) came with it.
 */
int oauth_callback_item(const char *code, const char *state,
    const char *error, struct ingest_item *it, char *payload);

/* The page shown in the browser after the redirect was taken (HTML). */
extern const char oauth_callback_page_ok[];
/* The page for a malformed redirect (HTML). */
extern const char oauth_callback_page_bad[];

#endif
