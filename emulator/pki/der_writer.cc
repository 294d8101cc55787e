#include "emulator/pki/der_writer.h"

namespace crossmesh::pki {

void AppendTlv(std::string& out, uint8_t tag, std::string_view contents) {
  out.push_back(static_cast<char>(tag));
  const size_t length = contents.size();
  if (length < 0x80) {
    out.push_back(static_cast<char>(length));
  } else {
    // Long form: 0x80 | the count of length bytes, then the length big-endian.
    int bytes = 0;
    for (size_t rest = length; rest != 0; rest >>= 8) ++bytes;
    out.push_back(static_cast<char>(0x80 | bytes));
    for (int i = bytes - 1; i >= 0; --i) {
      out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
    }
  }
  out.append(contents);
}

std::string Tlv(uint8_t tag, std::string_view contents) {
  std::string out;
  out.reserve(contents.size() + 6);
  AppendTlv(out, tag, contents);
  return out;
}

}  // namespace crossmesh::pki
