#include "_JSONShims.h"
extern "C" int rp_json_placeholder(void) { return 0; }
