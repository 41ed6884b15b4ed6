// Anchors the header in a translation unit of its own library so that the library is never empty.
#include "common/result.hpp"
