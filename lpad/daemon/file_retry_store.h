// SPDX-License-Identifier: Apache-2.0
// The notification retry schedule on disk (core::RetryStore): one JSON file per eUICC under the state directory,
// written atomically (temp file PATH.tmp, fsync, rename, fsync of the directory), so nothing is lost across a
// restart or a crash mid-write: a reader sees either the old or the new schedule, never a mix.
#pragma once

#include <string>
#include <vector>

#include "lpad/core/notifications.h"

namespace lpad::daemon {

// Writes `content` to `path` atomically through `temp_path_for(path)`. Throws Error(Unavailable) naming the path
// and errno; the temp file is removed on failure.
void write_file_atomically(const std::string& path, const std::string& content);
std::string temp_path_for(const std::string& path);

// One store per file, used from one thread at a time (the eUICC's worker): the temp file name is fixed.
class FileRetryStore final : public core::RetryStore {
public:
    explicit FileRetryStore(std::string path) : path_(std::move(path)) {}
    // A missing file is an empty schedule; a file that does not parse is MalformedData naming the path; a file that
    // cannot be read is Unavailable. A temp file left by a crash before the rename is never read, and is removed.
    std::vector<core::RetryRecord> load() override;
    void save(const std::vector<core::RetryRecord>& records) override;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace lpad::daemon
