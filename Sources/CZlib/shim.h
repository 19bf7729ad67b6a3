#ifndef PHASEFLOW_CZLIB_SHIM_H
#define PHASEFLOW_CZLIB_SHIM_H
#include <zlib.h>
#endif
