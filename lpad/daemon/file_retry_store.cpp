#include "lpad/daemon/file_retry_store.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "libapdu/error.h"

namespace lpad::daemon {
namespace {

[[noreturn]] void fail_errno(const std::string& what, const std::string& path) {
    fail(Errc::Unavailable, what + " " + path + ": " + std::strerror(errno));
}

// RAII for a POSIX file descriptor.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
    std::string tmp = path + ".tmp";
    {
        Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
        if (f.fd < 0) fail_errno("cannot create", tmp);
        std::size_t done = 0;
        while (done < content.size()) {
            ssize_t n = ::write(f.fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail_errno("cannot write", tmp);
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(f.fd) != 0) fail_errno("cannot fsync", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail_errno("cannot rename to", path);
    std::string dir = std::filesystem::path(path).parent_path().string();
    Fd d{::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd >= 0) ::fsync(d.fd);
}

std::vector<core::RetryRecord> FileRetryStore::load() {
    std::ifstream in(path_);
    if (!in) return {};
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<core::RetryRecord> out;
    try {
        auto j = nlohmann::json::parse(ss.str());
        for (const auto& r : j.at("retries")) {
            core::RetryRecord rec;
            rec.seq_number = r.at("seqNumber").get<std::int64_t>();
            rec.address = r.at("address").get<std::string>();
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
    nlohmann::json doc = {{"version", 1}, {"retries", list}};
    write_file_atomically(path_, doc.dump(2) + "\n");
}

}  // namespace lpad::daemon
