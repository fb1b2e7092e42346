// glibc's allocator statistics (`mallinfo2`), which the Glibc module does not export: `census microbench` reports the
// heap a window holds against what `--flush-bytes` counts of it. No logic lives here.
#ifndef CENSUS_CMALLOC_SHIM_H
#define CENSUS_CMALLOC_SHIM_H

#include <malloc.h>

#endif
