#include "mode.h"

#include "util.h"

static const char *const mode_names[MODE_COUNT] = { "quick", "standard", "burnin", "shell" };

const char *mode_name(enum mode m) { return mode_names[m]; }
int mode_from_name(const char *name) { return name_index(mode_names, ARRAY_SIZE(mode_names), name); }
