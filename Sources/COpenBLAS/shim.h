#include <cblas.h>
#include "prefetch.h"
