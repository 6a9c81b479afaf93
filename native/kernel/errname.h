// errno number to its symbolic name ("EPERM"), as Node's errors carry it.
#pragma once

namespace pid1 {

// Returns the symbolic name of a positive errno value, or "UNKNOWN".
const char* ErrnoName(int err);

}  // namespace pid1
