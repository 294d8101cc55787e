#include "emulator/core/status.h"
