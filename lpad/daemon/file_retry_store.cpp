// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/file_retry_store.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "libapdu/error.h"

namespace lpad::daemon {
namespace {

constexpr int kFormatVersion = 1;

[[noreturn]] void fail_errno(const std::string& what, const std::string& path, int err) {
    fail(Errc::Unavailable, what + " " + path + ": " + std::strerror(err));
}

// RAII for a POSIX file descriptor.
struct Fd {
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int fd;
};

// Removes the temp file unless released (after a successful rename).
struct TempGuard {
    std::string path;
    bool armed = true;
    ~TempGuard() {
        if (armed) ::unlink(path.c_str());
    }
};

}  // namespace

std::string temp_path_for(const std::string& path) { return path + ".tmp"; }

void write_file_atomically(const std::string& path, const std::string& content) {
    TempGuard tmp{temp_path_for(path)};
    {
        Fd f{::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
        if (f.fd < 0) {
            int err = errno;
            tmp.armed = false;  // not ours to remove
            fail_errno("cannot create", tmp.path, err);
        }
        std::size_t done = 0;
        while (done < content.size()) {
            ssize_t n = ::write(f.fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail_errno("cannot write", tmp.path, errno);
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(f.fd) != 0) fail_errno("cannot fsync", tmp.path, errno);
    }
    if (::rename(tmp.path.c_str(), path.c_str()) != 0) fail_errno("cannot rename to", path, errno);
    tmp.armed = false;
    // The rename is durable only once the directory entry is.
    std::string dir = std::filesystem::path(path).parent_path().string();
    Fd d{::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd >= 0) ::fsync(d.fd);
}

std::vector<core::RetryRecord> FileRetryStore::load() {
    // A crash between write and rename leaves PATH.tmp next to the previous, complete PATH: drop it.
    ::unlink(temp_path_for(path_).c_str());

    Fd f{::open(path_.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) {
        if (errno == ENOENT) return {};
        fail_errno("cannot open", path_, errno);
    }
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            if (errno == EISDIR) fail(Errc::MalformedData, path_ + ": not a regular file");
            fail_errno("cannot read", path_, errno);
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }

    std::vector<core::RetryRecord> out;
    try {
        auto j = nlohmann::json::parse(text);
        if (j.at("version").get<int>() != kFormatVersion)
            fail(Errc::MalformedData, path_ + ": unsupported version " + j.at("version").dump());
        const auto& list = j.at("retries");
        if (!list.is_array()) fail(Errc::MalformedData, path_ + ": \"retries\" is not an array");
        for (const auto& r : list) {
            core::RetryRecord rec;
            rec.seq_number = r.at("seqNumber").get<std::int64_t>();
            rec.address = r.at("address").get<std::string>();
            if (!r.at("failures").is_number_unsigned())
                fail(Errc::MalformedData, path_ + ": \"failures\" is not a count");
            rec.failures = r.at("failures").get<unsigned>();
            rec.next_attempt = r.at("nextAttempt").get<std::time_t>();
            rec.last_error = r.value("lastError", "");
            out.push_back(std::move(rec));
        }
    } catch (const nlohmann::json::exception& e) {
        fail(Errc::MalformedData, path_ + ": " + e.what());
    }
    return out;
}

void FileRetryStore::save(const std::vector<core::RetryRecord>& records) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : records)
        list.push_back({{"seqNumber", r.seq_number}, {"address", r.address}, {"failures", r.failures},
                        {"nextAttempt", r.next_attempt}, {"lastError", r.last_error}});
    nlohmann::json doc = {{"version", kFormatVersion}, {"retries", list}};
    write_file_atomically(path_, doc.dump(2) + "\n");
}

}  // namespace lpad::daemon
