// Moving bytes between std::string and OpenSSL memory BIOs, for PEM reading and writing.
#pragma once

#include <string>
#include <string_view>

#include "emulator/pki/openssl_handles.h"

namespace crossmesh::pki {

// A read-only memory BIO over a copy of `data`; null only when OpenSSL is out of memory.
BioPtr ReadBio(std::string_view data);

// An empty writable memory BIO.
BioPtr WriteBio();

// A pem_password_cb that supplies no passphrase, so reading encrypted PEM fails instead of
// OpenSSL's default of prompting on the terminal.
int NoPassphraseCallback(char* buffer, int size, int rwflag, void* userdata);

// Everything written to a memory BIO so far.
std::string BioContents(BIO* bio);

}  // namespace crossmesh::pki
