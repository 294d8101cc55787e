// The list of emulated services. A new service adds its api factory here.
#include "emulator/admin_api.h"
#include "emulator/emulator.h"
#include "emulator/sts/api/sts_api.h"

namespace crossmesh {

void RegisterServices(Emulator& emulator) { emulator.AddService(sts::MakeStsService()); }

}  // namespace crossmesh
