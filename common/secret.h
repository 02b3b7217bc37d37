/*
 * secret — sealing small secrets (OAuth refresh tokens) at rest with
 * libsodium's secretbox (XSalsa20-Poly1305).
 *
 * The key is 32 random bytes in a file (secret_key_file).  It is created
 * on first use with mode 0600 (O_EXCL, so two processes starting together
 * agree on one key); an existing file that others may read or write, or
 * that has the wrong size, is refused.  A sealed value is
 * nonce (24 bytes) || box; opening checks its authenticity.
 */
#ifndef DRAFTBOT_SECRET_H
#define DRAFTBOT_SECRET_H

#include <stddef.h>

#define SECRET_KEY_BYTES 32
#define SECRET_OVERHEAD 40 /* nonce 24 + MAC 16 */

struct secret_key {
	unsigned char k[SECRET_KEY_BYTES];
};

/*
 * Load the key from path, creating it (0600) when create is non-zero and
 * the file does not exist.  0, or -ENOENT (missing, create 0), -EPERM
 * (group/other may access it), -EINVAL (wrong size), -EIO; err says why
 * in one line.  Wipe the key with secret_key_wipe() when done.
 */
int secret_key_load(const char *path, int create, struct secret_key *ret,
    char *err, size_t errlen);

void secret_key_wipe(struct secret_key *k);

/* Seal len bytes of plain into *ret (caller frees), *ret_len = len +
 * SECRET_OVERHEAD.  0 or -ENOMEM / -EIO. */
int secret_seal(const struct secret_key *k, const void *plain, size_t len,
    unsigned char **ret, size_t *ret_len);

/* Open a sealed value into *ret (NUL-terminated, caller wipes and frees),
 * *ret_len the plain length.  -EBADMSG when it is forged, truncated or
 * sealed with another key. */
int secret_open(const struct secret_key *k, const unsigned char *sealed,
    size_t len, char **ret, size_t *ret_len);

#endif
