// The leaf elements of an AWS query-protocol answer (STS, IAM: <Account>, <Arn>, <RoleId>)
// read into a JSON object, so a step captures from them as from a JSON answer.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace crossmesh::scenario {

// `<Name>text</Name>` with no element inside becomes {"Name": "text"}, the five predefined
// entities read back; the first of a name wins. Linear in the answer's length.
nlohmann::json XmlLeaves(const std::string& xml);

}  // namespace crossmesh::scenario
