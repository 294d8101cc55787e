// The list of emulated services. A new service adds its migrations, api factory and timed
// events here.
#include "emulator/acm/api/acm_api.h"
#include "emulator/acm/model/acm_timed_events.h"
#include "emulator/acm/model/certificate_manager.h"
#include "emulator/acmpca/api/acmpca_api.h"
#include "emulator/acmpca/model/acmpca_model.h"
#include "emulator/acmpca/model/timed_events.h"
#include "emulator/admin_api.h"
#include "emulator/appmesh/api/appmesh_api.h"
#include "emulator/appmesh/model/appmesh_model.h"
#include "emulator/emulator.h"
#include "emulator/iam/api/iam_api.h"
#include "emulator/iam/model/iam_model.h"
#include "emulator/k8s/api/k8s_api.h"
#include "emulator/k8s/model/k8s_objects.h"
#include "emulator/ram/api/ram_api.h"
#include "emulator/ram/model/ram_model.h"
#include "emulator/sts/api/sts_api.h"

namespace crossmesh {

Status RegisterServices(Emulator& emulator) {
  emulator.AddService(sts::MakeStsService());

  CM_RETURN_IF_ERROR(iam::Migrate(emulator.store()));
  emulator.AddService(iam::MakeIamService(emulator.store()));

  CM_RETURN_IF_ERROR(acmpca::MigrateSchema(emulator.store()));
  emulator.AddService(acmpca::MakeAcmPcaService(emulator.store()));
  emulator.AddTimedEvents(acmpca::MakeCaTimedEvents());
  emulator.resources().Register("acm-pca", acmpca::FindCaResource);

  CM_RETURN_IF_ERROR(acm::CertificateManager::Migrate(emulator.store()));
  emulator.AddService(acm::MakeAcmService(emulator.store(), emulator.accounts()));
  emulator.AddTimedEvents(acm::MakeAcmTimedEvents(emulator.store(), emulator.accounts()));

  CM_RETURN_IF_ERROR(ram::RamModel::Migrate(emulator.store()));
  emulator.AddService(ram::MakeRamService(emulator.store(), emulator.resources()));
  emulator.AddTimedEvents(ram::MakeRamTimedEvents(emulator.resources()));

  CM_RETURN_IF_ERROR(appmesh::AppMeshModel::Migrate(emulator.store()));
  emulator.AddService(appmesh::MakeAppMeshService(emulator.store(), emulator.accounts()));
  emulator.resources().Register("appmesh", appmesh::FindMeshResource);

  // Not AWS: the Kubernetes objects `crossmesh apply` keeps per account (emulator/k8s).
  CM_RETURN_IF_ERROR(k8s::K8sObjects::Migrate(emulator.store()));
  emulator.AddService(k8s::MakeK8sService(emulator.store()));
  return Status::Ok();
}

}  // namespace crossmesh
