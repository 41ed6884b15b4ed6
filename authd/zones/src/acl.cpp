#include "authd/zones/acl.hpp"
