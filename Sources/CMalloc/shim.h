// glibc's allocator controls and statistics, which the Glibc module does not export: `mallopt` (the mmap threshold census
// fixes at start, Sources/census/Runtime/AllocatorTuning.swift) and `mallinfo2` (`census microbench` reports the heap a
// window holds against what `--flush-bytes` counts of it). No logic lives here.
#ifndef CENSUS_CMALLOC_SHIM_H
#define CENSUS_CMALLOC_SHIM_H

#include <malloc.h>

#endif
