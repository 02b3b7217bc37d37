/*
 * sodiumx — libsodium, loaded at run time (like libcurl in net/curlx.h),
 * so that processes that never seal a token or make a PKCE pair (the
 * webhook receiver) do not map it.  Include it after <sodium.h>: the names
 * below are redirected to the loaded functions, so callers use libsodium's
 * own API.  sodium_init() loads the library first and fails (-1) when it
 * cannot be loaded; every use of the other functions comes after a
 * successful sodium_init(), as libsodium itself requires.
 * sodium_memzero() needs no library: explicit_bzero() does the same.
 */
#ifndef DRAFTBOT_SODIUMX_H
#define DRAFTBOT_SODIUMX_H

#include <sodium.h>
#include <string.h>

#define SODIUMX_FUNCS(X)                                                  \
	X(sodium_init)                                                    \
	X(crypto_hash_sha256)                                             \
	X(crypto_secretbox_easy)                                          \
	X(crypto_secretbox_open_easy)                                     \
	X(randombytes_buf)                                                \
	X(sodium_bin2base64)

#define SODIUMX_MEMBER(name) __typeof__(name) *name;
struct sodiumx_fns {
	SODIUMX_FUNCS(SODIUMX_MEMBER)
};
#undef SODIUMX_MEMBER

extern struct sodiumx_fns sodiumx;

/* Load libsodium.so.23 (once, thread-safe) and run its sodium_init():
 * its result (0, or 1 when already initialised), or -1 when the library
 * cannot be loaded or initialised. */
int sodiumx_init(void);

#ifndef SODIUMX_NO_REDIRECT
#define sodium_init() sodiumx_init()
#define crypto_hash_sha256 (sodiumx.crypto_hash_sha256)
#define crypto_secretbox_easy (sodiumx.crypto_secretbox_easy)
#define crypto_secretbox_open_easy (sodiumx.crypto_secretbox_open_easy)
#define randombytes_buf (sodiumx.randombytes_buf)
#define sodium_bin2base64 (sodiumx.sodium_bin2base64)
#define sodium_memzero(p, n) explicit_bzero((p), (n))
#endif

#endif
