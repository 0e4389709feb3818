#include "hostrec.h"

#include <string.h>

int hrec_copy(const struct ring_rec *r, uint16_t type, void *out, size_t size)
{
	memset(out, 0, size);
	if (r->type != type)
		return 0;
	memcpy(out, r->payload, r->len < size ? r->len : size);
	return 1;
}
