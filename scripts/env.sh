# Sourced by the scripts: the process settings libtorch trains fastest with on Linux. glibc serves allocations above
# its mmap threshold (at most 32 MB by default) with a fresh mmap and returns them with munmap, so every training step
# page-faults its activation tensors in again (tens of MB each). A higher threshold keeps them in the heap for reuse:
# one Table 3 training step goes from about 850 to 180 ms on 1 thread here (benchmarks/CausalMmm.Benchmarks -- step).
# glibc reads these only at process start, so they are set here, before dotnet runs; settings already made are kept.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-268435456}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-536870912}"
