// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the notification retry schedule file (lpad/daemon/file_retry_store.h), which a crash, a full disk
// or a person may have damaged. load() must give records or MalformedData; what loads must save and load back the
// same.
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "libapdu/error.h"
#include "lpad/daemon/file_retry_store.h"

namespace {

char temp_dir[] = "/tmp/lpad-fuzz-retry-XXXXXX";  // plain storage: still valid in the atexit handler

const std::string& dir() {
    static const std::string d = [] {
        if (!::mkdtemp(temp_dir)) std::abort();
        std::atexit([] { std::filesystem::remove_all(temp_dir); });  // replay and libFuzzer both end through exit()
        return std::string(temp_dir);
    }();
    return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = dir() + "/retries.json";
    lpad::daemon::write_file_atomically(path, std::string(reinterpret_cast<const char*>(data), size));
    lpad::daemon::FileRetryStore store(path);
    try {
        auto records = store.load();
        store.save(records);
        if (store.load() != records) std::abort();
    } catch (const lpad::Error& e) {
        if (e.code() != lpad::Errc::MalformedData) std::abort();
    }
    return 0;
}
