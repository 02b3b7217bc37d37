/*
 * crypto — the random and hashed strings of google/: OAuth state, the PKCE
 * pair (RFC 7636) and deterministic Calendar event ids, with libsodium.
 */
#include <errno.h>
#include <string.h>
#include <sodium.h> /* the types; calls go through sodiumx */
#include "common/sodiumx.h"

#include "google/gapi_int.h"

#define TOKEN_CHARS_MIN 22 /* 132 bits */
#define TOKEN_CHARS_MAX 1023
#define VERIFIER_MIN 43
#define VERIFIER_MAX 128
#define EVENT_ID_PREFIX "db"
#define EVENT_ID_BYTES 20 /* 160 bits: 32 base32hex characters */

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

int
gapi_random_token(char *out, size_t len)
{
	unsigned char raw[(TOKEN_CHARS_MAX * 3 + 3) / 4];
	char b64[sodium_base64_ENCODED_LEN(sizeof(raw), B64URL)];
	size_t chars, n;

	if (out == NULL || len < TOKEN_CHARS_MIN + 1 ||
	    len > TOKEN_CHARS_MAX + 1)
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	chars = len - 1;
	/* Enough bytes for chars full sextets; the surplus is cut off, so
	 * every character is uniform. */
	n = (chars * 3 + 3) / 4;
	randombytes_buf(raw, n);
	sodium_bin2base64(b64, sizeof(b64), raw, n, B64URL);
	memcpy(out, b64, chars);
	out[chars] = '\0';
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(b64, sizeof(b64));
	return 0;
}

static bool
verifier_ok(const char *v)
{
	size_t n = 0;

	for (; v[n] != '\0'; n++) {
		char c = v[n];

		if (n >= VERIFIER_MAX ||
		    !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		        c == '_' || c == '~'))
			return false;
	}
	return n >= VERIFIER_MIN;
}

int
gapi_pkce_challenge(const char *verifier, char challenge[GAPI_CHALLENGE_MAX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	if (verifier == NULL || challenge == NULL || !verifier_ok(verifier))
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	crypto_hash_sha256(
	    h, (const unsigned char *)verifier, strlen(verifier));
	sodium_bin2base64(challenge, GAPI_CHALLENGE_MAX, h, sizeof(h), B64URL);
	explicit_bzero(h, sizeof(h));
	return 0;
}

int
gapi_pkce(char verifier[GAPI_VERIFIER_MAX], char challenge[GAPI_CHALLENGE_MAX])
{
	int r;

	if (verifier == NULL || challenge == NULL)
		return -EINVAL;
	/* 32 random bytes, 43 characters: RFC 7636 section 4.1's advice. */
	r = gapi_random_token(verifier, VERIFIER_MIN + 1);
	if (r == 0)
		r = gapi_pkce_challenge(verifier, challenge);
	if (r < 0)
		explicit_bzero(verifier, GAPI_VERIFIER_MAX);
	return r;
}

int
gapi_event_id(const char *key, char *out, size_t len)
{
	static const char b32hex[] = "0123456789abcdefghijklmnopqrstuv";
	unsigned char h[crypto_hash_sha256_BYTES];
	size_t i, p = sizeof(EVENT_ID_PREFIX) - 1;

	if (key == NULL || out == NULL || len < GAPI_EVENT_ID_MAX)
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
	memcpy(out, EVENT_ID_PREFIX, p);
	/* 5 bits at a time, most significant first (RFC 4648 order). */
	for (i = 0; i < EVENT_ID_BYTES * 8 / 5; i++) {
		size_t bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)h[byte] << 8;

		if (byte + 1 < EVENT_ID_BYTES)
			v |= h[byte + 1];
		out[p++] = b32hex[(v >> (11 - shift)) & 31];
	}
	out[p] = '\0';
	return 0;
}
