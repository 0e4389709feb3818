/* The guest's records (watchrec.h). */
#include "watchrec.h"

#include <string.h>

void wrec_get(const struct ring_rec *r, void *out, size_t size)
{
	memset(out, 0, size);
	memcpy(out, r->payload, r->len < size ? r->len : size);
}
