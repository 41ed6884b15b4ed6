#include "authd/store/zone_store.hpp"
