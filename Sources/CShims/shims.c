/* The shims are static inline in include/hybrid_shims.h; this file gives the target a source. */
#include "hybrid_shims.h"
