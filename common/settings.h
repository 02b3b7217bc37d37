/*
 * settings — the table of every draftbot setting (see cfg.h for how each is
 * read).  The README's configuration table is this table.
 */
#ifndef DRAFTBOT_SETTINGS_H
#define DRAFTBOT_SETTINGS_H

#include "common/cfg.h"

extern const struct cfg_def settings_table[];

#endif
