#include "emulator/pki/bio.h"

namespace crossmesh::pki {

BioPtr ReadBio(std::string_view data) {
  // BIO_new_mem_buf would alias `data`; copying keeps the BIO valid after the view's owner dies.
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return nullptr;
  if (!data.empty() && BIO_write(bio.get(), data.data(), static_cast<int>(data.size())) <= 0) {
    return nullptr;
  }
  return bio;
}

BioPtr WriteBio() { return BioPtr(BIO_new(BIO_s_mem())); }

int NoPassphraseCallback(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return 0;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return {data, static_cast<size_t>(size)};
}

}  // namespace crossmesh::pki
