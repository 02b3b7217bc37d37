/*
 * bench_http_null — the HTTP ceiling for scripts/bench-pipeline: a
 * libmicrohttpd server with the receiver's threading options (an internal
 * epoll thread pool of 8, 256 connections, 10 s idle time-out) that takes
 * every request's body and answers 200 with an empty body, doing nothing
 * else.  What the receiver reaches against what this reaches is the cost of
 * checking, parsing and durably enqueueing an update.
 *
 *   bench_http_null --listen 127.0.0.1:PORT
 *
 * Runs until SIGINT or SIGTERM; exit 0.  Prints "listening" on stdout once
 * it accepts connections.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define THREADS 8     /* as the receiver's DEFAULT_THREADS */
#define MAX_CONNS 256 /* DEFAULT_MAX_CONNS */
#define TIMEOUT_S 10  /* DEFAULT_TIMEOUT_S */

static struct MHD_Response *ok;

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = (void *)1; /* headers seen; the body comes next */
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, ok);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct MHD_Daemon *d;
	char host[64];
	sigset_t set;
	int port, sig;

	if (argc != 3 || strcmp(argv[1], "--listen") != 0 ||
	    sscanf(argv[2], "%63[^:]:%d", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: bench_http_null --listen ADDR:PORT\n");
		return 2;
	}
	sa.sin_port = htons((unsigned short)port);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	ok = MHD_create_response_from_buffer(
	    0, (void *)"", MHD_RESPMEM_PERSISTENT);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0,
	    NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_THREAD_POOL_SIZE, THREADS, MHD_OPTION_CONNECTION_LIMIT,
	    MAX_CONNS, MHD_OPTION_CONNECTION_TIMEOUT, TIMEOUT_S,
	    MHD_OPTION_END);
	if (ok == NULL || d == NULL) {
		fprintf(
		    stderr, "bench_http_null: cannot listen on %s\n", argv[2]);
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	MHD_stop_daemon(d);
	MHD_destroy_response(ok);
	return 0;
}
