/* secret — libsodium secretbox around a key file. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h> /* the types; calls go through sodiumx */
#include "common/sodiumx.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/secret.h"

_Static_assert(SECRET_KEY_BYTES == crypto_secretbox_KEYBYTES, "key size");
_Static_assert(SECRET_OVERHEAD ==
        crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
    "overhead");

static int
init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

/* Write a new random key to path (O_EXCL): 0, -EEXIST when another
 * process made it first, or -EIO. */
static int
create_key(const char *path, char *err, size_t errlen)
{
	unsigned char k[SECRET_KEY_BYTES];
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return -EEXIST;
		snprintf(err, errlen, "cannot create the key file %s: %s",
		    path, strerror(errno));
		return -EIO;
	}
	randombytes_buf(k, sizeof(k));
	n = write(fd, k, sizeof(k));
	if (n != (ssize_t)sizeof(k) || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write the key file %s", path);
		unlink(path);
		r = -EIO;
	}
	sodium_memzero(k, sizeof(k));
	close(fd);
	return r;
}

int
secret_key_load(const char *path, int create, struct secret_key *ret,
    char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd, r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (init() < 0) {
		snprintf(err, errlen, "libsodium could not be initialised");
		return -EIO;
	}
	if (path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "secret_key_file is not set");
		return -EINVAL;
	}
	for (int tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 || errno != ENOENT)
			break;
		if (!create) {
			snprintf(err, errlen, "the key file %s does not exist",
			    path);
			return -ENOENT;
		}
		r = create_key(path, err, errlen);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the key file %s: %s", path,
		    strerror(errno));
		return -EIO;
	}
	r = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the key file %s is not a file", path);
		r = -EINVAL;
	} else if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen,
		    "the key file %s may be read by others: chmod 600 it",
		    path);
		r = -EPERM;
	} else if (st.st_size != SECRET_KEY_BYTES) {
		snprintf(err, errlen,
		    "the key file %s is not a draftbot key (%d bytes expected)",
		    path, SECRET_KEY_BYTES);
		r = -EINVAL;
	} else {
		n = read(fd, ret->k, sizeof(ret->k));
		if (n != (ssize_t)sizeof(ret->k)) {
			snprintf(err, errlen, "cannot read the key file %s",
			    path);
			r = -EIO;
		}
	}
	close(fd);
	if (r < 0)
		secret_key_wipe(ret);
	return r;
}

void
secret_key_wipe(struct secret_key *k)
{
	if (k != NULL)
		sodium_memzero(k->k, sizeof(k->k));
}

int
secret_seal(const struct secret_key *k, const void *plain, size_t len,
    unsigned char **ret, size_t *ret_len)
{
	unsigned char *out;

	if (init() < 0)
		return -EIO;
	out = malloc(len + SECRET_OVERHEAD);
	if (out == NULL)
		return -ENOMEM;
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, len,
	    out, k->k);
	*ret = out;
	*ret_len = len + SECRET_OVERHEAD;
	return 0;
}

int
secret_open(const struct secret_key *k, const unsigned char *sealed,
    size_t len, char **ret, size_t *ret_len)
{
	size_t plen;
	char *out;

	if (init() < 0)
		return -EIO;
	if (sealed == NULL || len < SECRET_OVERHEAD)
		return -EBADMSG;
	plen = len - SECRET_OVERHEAD;
	out = malloc(plen + 1);
	if (out == NULL)
		return -ENOMEM;
	if (crypto_secretbox_open_easy((unsigned char *)out,
	        sealed + crypto_secretbox_NONCEBYTES,
	        len - crypto_secretbox_NONCEBYTES, sealed, k->k) != 0) {
		free(out);
		return -EBADMSG;
	}
	out[plen] = '\0';
	*ret = out;
	*ret_len = plen;
	return 0;
}
