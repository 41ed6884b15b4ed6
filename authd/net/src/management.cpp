#include "authd/net/management.hpp"
