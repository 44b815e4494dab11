// The notification retry schedule on disk (core::RetryStore): one JSON file per eUICC under the state directory,
// written atomically (temp file, fsync, rename, fsync of the directory), so nothing is lost across a restart or a
// crash mid-write.
#pragma once

#include <string>
#include <vector>

#include "lpad/core/notifications.h"

namespace lpad::daemon {

// Writes `content` to `path` atomically. Throws Error(Unavailable) naming the path and errno.
void write_file_atomically(const std::string& path, const std::string& content);

class FileRetryStore final : public core::RetryStore {
public:
    explicit FileRetryStore(std::string path) : path_(std::move(path)) {}
    // A missing file is an empty schedule; a file that does not parse is MalformedData naming the path.
    std::vector<core::RetryRecord> load() override;
    void save(const std::vector<core::RetryRecord>& records) override;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace lpad::daemon
