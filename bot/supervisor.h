/*
 * supervisor — `draftbot run [--poll]`, the usual way to run the bot.
 *
 * It checks the bot token once with getMe and names the bot, then starts
 * the receiver (`draftbot receive`, or `receive --poll`) and the executor
 * (`draftbot execute`) as child processes of this same binary with the same
 * global options, restarts one that crashes (procs.h: 1 s doubling to
 * 30 s), and on SIGINT/SIGTERM stops both (SIGTERM, up to 10 s, then
 * SIGKILL) and exits 0.  The children share nothing but the database.
 */
#ifndef DRAFTBOT_SUPERVISOR_H
#define DRAFTBOT_SUPERVISOR_H

#include "bot/cli.h"

/* What `draftbot run` prints when no token is set (then it exits 1). */
extern const char supervisor_no_token[];

/* The subcommand `draftbot run`. */
int cli_run(struct cli *cli, int argc, char **argv);

#endif
