// sysmon: the monitor thread that runs without a P.
#pragma once

namespace cbridge::rt {

void sysmonStart();
// sysmonStop wakes sysmon and waits for its thread to end.
void sysmonStop();

}  // namespace cbridge::rt
