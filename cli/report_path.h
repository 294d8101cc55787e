// The --json and --junit report paths of `run` and `walkthrough`, checked on the command line:
// a scenario may run for minutes, and a report it cannot write is better refused before that.
#pragma once

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

namespace crossmesh::cli {

inline CLI::Validator ReportPath() {
  return CLI::Validator(
      [](std::string& path) -> std::string {
        std::error_code ec;
        const std::filesystem::path report(path);
        if (std::filesystem::is_directory(report, ec)) {
          return "'" + path + "' is a folder; give the report's file path";
        }
        const std::filesystem::path folder = std::filesystem::absolute(report, ec).parent_path();
        if (!std::filesystem::is_directory(folder, ec)) {
          return "the folder '" + folder.string() + "' of the report does not exist";
        }
        if (access(folder.c_str(), W_OK) != 0) {
          return "the folder '" + folder.string() + "' of the report is not writable";
        }
        return {};
      },
      "PATH");
}

}  // namespace crossmesh::cli
