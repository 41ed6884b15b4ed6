#include "authd/control/control.hpp"
