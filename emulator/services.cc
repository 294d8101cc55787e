// The list of emulated services. A new service adds its migrations, api factory and timed
// events here.
#include "emulator/admin_api.h"
#include "emulator/emulator.h"
#include "emulator/ram/api/ram_api.h"
#include "emulator/ram/model/ram_model.h"
#include "emulator/sts/api/sts_api.h"

namespace crossmesh {

Status RegisterServices(Emulator& emulator) {
  emulator.AddService(sts::MakeStsService());

  CM_RETURN_IF_ERROR(ram::RamModel::Migrate(emulator.store()));
  emulator.AddService(ram::MakeRamService(emulator.store(), emulator.resources()));
  emulator.AddTimedEvents(ram::MakeRamTimedEvents(emulator.resources()));
  return Status::Ok();
}

}  // namespace crossmesh
